"""Search speed and quality with 10,000 procedures (issue 4, point 6).

    .venv/bin/python bench/search.py [--procedures 10000] [--rounds 3] [--keep DIR]

Sets up its own SQLite database in a temporary folder (so it runs beside a
served portal), loads the demo agencies, fields and legal documents, imports
N procedures through the catalogue import (`procedures.importing`, the code
behind `manage.py import_procedures`), then requests the search page
in-process for a fixed set of 50 realistic queries, with and without
diacritics. Prints the figures and, as its last line:

    search procedures=10000 p50_ms=… p95_ms=… top3=…

top3 is the share of queries whose expected procedure is among the first
three results. Targets on a 2-core machine: p50 < 30 ms, p95 < 60 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Anchors: the procedures the queries look for (code, name, field, agency, tier, level).
ANCHORS = [
    ("1.001193", "Đăng ký khai sinh", "ho-tich", "000.20.30.H30", "commune", 4),
    ("1.001695", "Đăng ký khai sinh có yếu tố nước ngoài", "ho-tich", "000.20.30.H30", "commune", 3),
    ("1.000894", "Đăng ký kết hôn", "ho-tich", "000.20.30.H30", "commune", 3),
    ("1.000689", "Đăng ký kết hôn có yếu tố nước ngoài", "ho-tich", "000.20.30.H30", "commune", 3),
    ("1.001022", "Đăng ký khai tử", "ho-tich", "000.21.30.H30", "commune", 4),
    ("1.004884", "Đăng ký nhận cha, mẹ, con", "ho-tich", "000.21.30.H30", "commune", 3),
    ("1.004859", "Cấp bản sao trích lục hộ tịch", "ho-tich", "000.22.30.H30", "commune", 4),
    ("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "ho-tich", "000.22.30.H30", "commune", 4),
    ("2.000528", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "xay-dung", "000.00.11.H30", "province", 3),
    ("1.009972", "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I", "xay-dung",
     "000.00.11.H30", "province", 2),
    ("1.009973", "Cấp giấy phép sửa chữa, cải tạo công trình", "xay-dung", "000.00.11.H30", "province", 2),
    ("1.009974", "Cấp giấy phép di dời công trình", "xay-dung", "000.00.11.H30", "province", 2),
    ("2.000720", "Đăng ký thành lập hộ kinh doanh", "ho-kinh-doanh", "000.23.30.H30", "commune", 3),
    ("2.000575", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "ho-kinh-doanh", "000.23.30.H30", "commune", 3),
    ("2.000583", "Chấm dứt hoạt động hộ kinh doanh", "ho-kinh-doanh", "000.23.30.H30", "commune", 3),
    ("1.004227", "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu",
     "dat-dai", "000.00.12.H30", "province", 2),
    ("1.004203", "Chuyển mục đích sử dụng đất", "dat-dai", "000.00.12.H30", "province", 2),
    ("1.004199", "Đăng ký biến động quyền sử dụng đất do chuyển nhượng", "dat-dai", "000.00.12.H30", "province", 3),
    ("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "chung-thuc", "000.24.30.H30", "commune", 2),
    ("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "chung-thuc", "000.24.30.H30", "commune", 2),
    ("2.001035", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", "chung-thuc",
     "000.24.30.H30", "commune", 2),
    ("2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
     "ly-lich-tu-phap", "000.00.10.H30", "province", 4),
    ("1.000656", "Đăng ký doanh nghiệp tư nhân", "doanh-nghiep", "000.00.13.H30", "province", 4),
    ("2.002040", "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên", "doanh-nghiep",
     "000.00.13.H30", "province", 4),
    ("1.005364", "Giải thể doanh nghiệp", "doanh-nghiep", "000.00.13.H30", "province", 3),
    ("1.002755", "Cấp mới giấy phép lái xe", "giao-thong", "000.00.11.H30", "province", 4),
    ("1.002804", "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "giao-thong", "000.00.11.H30",
     "province", 4),
    ("1.001612", "Giải quyết hưởng trợ cấp thất nghiệp", "lao-dong", "000.00.17.H30", "province", 3),
    ("1.000105", "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam", "lao-dong",
     "000.00.17.H30", "province", 4),
    ("1.001776", "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng", "bao-tro-xa-hoi",
     "000.25.30.H30", "commune", 2),
    ("1.005092", "Chuyển trường đối với học sinh trung học phổ thông", "giao-duc", "000.00.15.H30", "province", 3),
    ("1.005388", "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "giao-duc", "000.00.15.H30", "province", 3),
    ("1.004616", "Cấp giấy phép hành nghề khám bệnh, chữa bệnh", "y-te", "000.00.14.H30", "province", 3),
    ("2.001255", "Cấp thẻ căn cước cho công dân từ đủ 14 tuổi", "ho-tich", "000.20.30.H30", "commune", 3),
    ("1.003003", "Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm", "y-te", "000.00.16.H30", "province", 3),
    ("2.000633", "Cấp giấy phép bán lẻ sản phẩm rượu", "moi-truong", "000.00.16.H30", "province", 3),
]

# (query, expected code): half without diacritics, synonyms, codes, everyday words.
# "a|b": either is right (the demo catalogue has the post-2024 land procedures
# beside the older ones).
QUERIES = [
    ("đăng ký khai sinh", "1.001193"), ("dang ky khai sinh", "1.001193"),
    ("khai sinh có yếu tố nước ngoài", "1.001695"), ("dang ky ket hon", "1.000894"),
    ("kết hôn với người nước ngoài", "1.000689"), ("dang ky khai tu", "1.001022"),
    ("nhận cha mẹ con", "1.004884"), ("trich luc ho tich", "1.004859"),
    ("xác nhận tình trạng hôn nhân", "1.004873"), ("giay xac nhan tinh trang hon nhan", "1.004873"),
    ("giay phep xay dung nha o", "2.000528"), ("giấy phép xây dựng nhà ở riêng lẻ", "2.000528"),
    ("sua chua cai tao cong trinh", "1.009973"), ("giấy phép di dời công trình", "1.009974"),
    ("ho kinh doanh", "2.000720"), ("thành lập hộ kinh doanh", "2.000720"),
    ("thay doi noi dung dang ky ho kinh doanh", "2.000575"), ("cham dut hoat dong ho kinh doanh", "2.000583"),
    ("sổ đỏ", "1.004227|1.012757"), ("lam so do", "1.004227|1.012757"), ("chuyen muc dich su dung dat", "1.004203"),
    ("chuyển nhượng quyền sử dụng đất", "1.004199"), ("chung thuc ban sao", "2.000815"),
    ("chứng thực chữ ký", "2.000884"), ("chung thuc hop dong", "2.001035"),
    ("lý lịch tư pháp", "2.000488"), ("ly lich tu phap", "2.000488"),
    ("doanh nghiep tu nhan", "1.000656"), ("thành lập công ty tnhh một thành viên", "2.002040"),
    ("giai the doanh nghiep", "1.005364"), ("bằng lái xe", "1.002755"), ("doi giay phep lai xe", "1.002804"),
    ("tro cap that nghiep", "1.001612"), ("giấy phép lao động người nước ngoài", "1.000105"),
    ("tro cap xa hoi hang thang", "1.001776"), ("chuyển trường trung học phổ thông", "1.005092"),
    ("ban sao van bang chung chi", "1.005388"), ("giấy phép hành nghề khám bệnh", "1.004616|1.012257"),
    ("cmnd", "2.001255"), ("làm căn cước", "2.001255"), ("an toan thuc pham", "1.003003"),
    ("giấy phép bán lẻ rượu", "2.000633"), ("1.001193", "1.001193"), ("2.000528", "2.000528"),
    ("1.004227", "1.004227"), ("thủ tục 1.000894", "1.000894"), ("DANG KY KHAI SINH", "1.001193"),
    ("Đăng ký khai sinh như thế nào", "1.001193"), ("cap giay phep lai xe moi", "1.002755"),
    ("ket hon", "1.000894"),
]

ACTIONS = ["Cấp", "Cấp lại", "Cấp đổi", "Điều chỉnh", "Gia hạn", "Thu hồi", "Đăng ký", "Đăng ký thay đổi",
           "Xác nhận", "Công nhận", "Thẩm định", "Phê duyệt", "Chấm dứt", "Bổ sung", "Thông báo", "Cho phép"]
OBJECTS = ["giấy phép hoạt động", "chứng chỉ hành nghề", "giấy chứng nhận đủ điều kiện", "quyết định thành lập",
           "kế hoạch bảo vệ môi trường", "phương án khai thác", "giấy phép khai thác khoáng sản", "báo cáo đánh giá",
           "dự án đầu tư", "hồ sơ thiết kế", "văn bằng bảo hộ", "giấy phép tổ chức biểu diễn",
           "giấy phép quảng cáo", "chương trình đào tạo", "danh hiệu thi đua", "hợp đồng lao động",
           "giấy phép vận tải", "phù hiệu xe", "giấy phép kinh doanh vận tải", "chứng nhận nguồn gốc",
           "giấy phép sử dụng vật liệu nổ", "quy hoạch chi tiết", "mã số thuế", "hồ sơ năng lực",
           "thẻ hướng dẫn viên du lịch", "giấy phép thành lập thư viện", "giấy phép xuất bản",
           "giấy chứng nhận đăng ký hoạt động", "phiếu đăng ký", "tờ khai hải quan", "giấy phép môi trường",
           "giấy phép xả thải", "chứng chỉ quy hoạch", "giấy chứng nhận kiểm định", "giấy phép nhập khẩu",
           "giấy phép cơ sở bức xạ", "quyết định công nhận", "bằng khen", "học bổng", "trợ cấp một lần"]
QUALIFIERS = ["cho doanh nghiệp", "đối với cơ sở bán lẻ", "tại cấp xã", "trong lĩnh vực nông nghiệp",
              "cho tổ chức nước ngoài", "đối với hợp tác xã", "cho cá nhân", "tại cấp tỉnh", "cho trường học",
              "đối với cơ sở y tế", "trong lĩnh vực văn hóa", "cho nhà đầu tư", "đối với công trình thủy lợi",
              "cho người có công", "đối với hộ gia đình", "trong khu công nghiệp", "cho cơ sở giáo dục",
              "đối với phương tiện thủy nội địa", "cho đơn vị sự nghiệp", "trong lĩnh vực thương mại",
              "đối với rừng sản xuất", "cho làng nghề", "trong lĩnh vực thể thao", "đối với di tích",
              "cho tàu cá", "trong lĩnh vực điện lực"]
FIELD_CODES = ["ho-tich", "chung-thuc", "dat-dai", "xay-dung", "ho-kinh-doanh", "doanh-nghiep", "giao-duc", "y-te",
               "lao-dong", "bao-tro-xa-hoi", "van-hoa", "giao-thong", "moi-truong", "ly-lich-tu-phap"]
AGENCIES = ["000.00.10.H30", "000.00.11.H30", "000.00.12.H30", "000.00.13.H30", "000.00.14.H30",
            "000.00.15.H30", "000.00.16.H30", "000.00.17.H30", "000.00.18.H30", "000.20.30.H30",
            "000.21.30.H30", "000.22.30.H30", "000.23.30.H30", "000.24.30.H30", "000.25.30.H30"]
STEPS = ("Bước 1: Tổ chức, cá nhân chuẩn bị hồ sơ theo quy định.\n"
         "Bước 2: Nộp hồ sơ tại Bộ phận Một cửa hoặc trực tuyến trên Cổng dịch vụ công.\n"
         "Bước 3: Cơ quan có thẩm quyền thẩm định hồ sơ và trả kết quả.")
REQUIREMENTS = ["Có đủ năng lực hành vi dân sự.", "Không thuộc trường hợp bị cấm theo quy định của pháp luật.",
                "Đáp ứng điều kiện về cơ sở vật chất.", "Có văn bản chấp thuận của cơ quan quản lý.",
                "Nộp đủ phí, lệ phí theo quy định.", "Có bản cam kết thực hiện đúng quy định."]


def catalogue_csv(count: int) -> bytes:
    """The catalogue file the import reads: the anchors, then generated
    procedures that share their words, up to `count` rows."""
    from procedures.importing import COLUMNS

    rng = random.Random(4)
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(COLUMNS)

    def row(code, name, field, agency, tier, level):
        reqs = "\n".join(rng.sample(REQUIREMENTS, 3))
        components = f"Đơn đề nghị {name[0].lower() + name[1:]} | 1 | bản chính\nBản sao giấy tờ tùy thân | 1 | bản sao"
        writer.writerow([code, name, field, agency, tier, level, rng.choice([3, 5, 10, 15, 20]),
                         rng.choice(["", "50000", "100000", "0"]), "", "", "Cá nhân\nTổ chức", STEPS, components,
                         "in_person\nonline", f"Văn bản {name[0].lower() + name[1:]}", reqs, ""])

    for anchor in ANCHORS:
        row(*anchor)
    seen = {name for _c, name, *_ in ANCHORS}
    n = 0
    while len(seen) < count:
        name = f"{rng.choice(ACTIONS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}"
        if rng.random() < 0.5:
            name += f" {rng.choice(QUALIFIERS)}"
        if name in seen:
            continue
        seen.add(name)
        n += 1
        agency = rng.choice(AGENCIES)
        tier = "commune" if agency.startswith("000.2") else "province"
        row(f"9.{n:06d}", name, rng.choice(FIELD_CODES), agency, tier, rng.randint(1, 4))
    return out.getvalue().encode("utf-8")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the 50 queries")
    parser.add_argument("--keep", help="keep the database in this folder (reused on the next run)")
    args = parser.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "bench.sqlite3"
    fresh = not db_path.exists()
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(folder / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["SEARCH_STATS_FLUSH_SECONDS"] = "0"

    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404 probe below
    from django.core.management import call_command
    from django.test import Client
    from wagtail.models import Locale, Page

    from procedures.models import ProcedurePage
    from search import services, stats

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if fresh:
        import home.demo
        import procedures.demo
        import search.demo

        quiet = io.StringIO()
        home.demo.load(quiet)
        procedures.demo.load(quiet)
        print(f"database ready in {time.perf_counter() - started:.1f} s ({db_path})")
        existing = set(ProcedurePage.objects.filter(locale__language_code="vi").values_list("code", flat=True))
        overlap = sum(1 for anchor in ANCHORS if anchor[0] in existing)  # demo procedures update, not add
        from procedures.importing import import_file

        t0 = time.perf_counter()
        rows = catalogue_csv(args.procedures - len(existing) + overlap)
        plan, result = import_file(io.BytesIO(rows), "catalogue.csv")
        print(f"imported {result.created} procedures in {time.perf_counter() - t0:.1f} s "
              f"({len(result.refused)} refused)")
        for refused in result.refused[:5]:
            print("  refused:", refused)
        search.demo.load(quiet)
    vi = Locale.objects.get(language_code="vi")
    total = ProcedurePage.objects.filter(locale=vi).count()
    print(f"procedures in the catalogue (vi): {total}; search backend engine: {type(services.get_engine()).__name__}")

    client = Client(HTTP_HOST="localhost")
    codes = dict(ProcedurePage.objects.filter(locale=vi).values_list("code", "pk"))
    titles = dict(Page.objects.filter(locale=vi).values_list("pk", "title"))

    # quality: is the expected procedure in the first three?
    misses = []
    for query, code in QUERIES:
        outcome = services.run_search(query, vi, {}, record=False)
        top = [hit.pk for hit in outcome.hits[:3] if hit.kind == "procedure"]
        if not any(codes.get(c) in top for c in code.split("|")):
            misses.append((query, code, [titles.get(hit.pk, "?")[:50] for hit in outcome.hits[:3]]))
    top3 = 1 - len(misses) / len(QUERIES)
    for query, code, got in misses:
        print(f"  miss: {query!r} expected {code}, got {got}")

    # speed: the whole page, in-process
    for query, _code in QUERIES:  # warm-up
        client.get("/search/", {"q": query})
    timings: dict[str, list[float]] = {query: [] for query, _ in QUERIES}
    for _ in range(args.rounds):
        for query, _code in QUERIES:
            t0 = time.perf_counter()
            response = client.get("/search/", {"q": query})
            timings[query].append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (query, response.status_code)
    samples = [t for values in timings.values() for t in values]

    # the search itself (service + loading the shown results), without the
    # site's header, menus and footer, which every page renders
    service_samples = []
    for _ in range(args.rounds):
        for query, _code in QUERIES:
            t0 = time.perf_counter()
            outcome = services.run_search(query, vi, {}, record=True)
            services.load_objects(outcome.hits[: services.PER_PAGE], vi)
            service_samples.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    for _ in range(20):
        client.get("/nonexistent-page-for-bench/")
    chrome_ms = (time.perf_counter() - t0) / 20 * 1000
    slowest = sorted(timings.items(), key=lambda item: -statistics.median(item[1]))[:5]

    # where the time goes, for the slowest query
    slowest_query = slowest[0][0]
    t0 = time.perf_counter()
    for _ in range(5):
        services.run_search(slowest_query, vi, {}, record=False)
    service_ms = (time.perf_counter() - t0) / 5 * 1000

    # faceted page and suggestions
    facet_samples, suggest_samples = [], []
    for query, _code in QUERIES[:20]:
        t0 = time.perf_counter()
        client.get("/search/", {"q": query, "tier": "province", "level": "3"})
        facet_samples.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        client.get("/search/suggest/", {"q": query[:6]})
        suggest_samples.append((time.perf_counter() - t0) * 1000)

    # the statistics counter on the request path
    n = 20000
    t0 = time.perf_counter()
    for i in range(n):
        stats.record("dang ky khai sinh", f"q{i % 500}", "vi", i % 3)
    record_us = (time.perf_counter() - t0) / n * 1e6
    written = stats.flush()

    print(f"search page: {len(samples)} requests, mean {statistics.mean(samples):.1f} ms, "
          f"p50 {percentile(samples, 0.5):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms, "
          f"max {max(samples):.1f} ms")
    print(f"search alone (service + shown results, no page chrome): p50 {percentile(service_samples, 0.5):.1f} ms, "
          f"p95 {percentile(service_samples, 0.95):.1f} ms; a 404 page with the same header and footer: {chrome_ms:.1f} ms")
    print("slowest queries (median ms): " + ", ".join(f"{q!r} {statistics.median(t):.1f}" for q, t in slowest))
    print(f"slowest query {slowest_query!r}: search service alone {service_ms:.1f} ms")
    print(f"faceted page (tier+level): p50 {percentile(facet_samples, 0.5):.1f} ms; "
          f"suggestions: p50 {percentile(suggest_samples, 0.5):.1f} ms, p95 {percentile(suggest_samples, 0.95):.1f} ms")
    print(f"statistics: {record_us:.2f} µs per search recorded in memory; flush wrote {written} rows")
    print(f"top3: {len(QUERIES) - len(misses)}/{len(QUERIES)} queries")
    print(f"search procedures={total} p50_ms={percentile(samples, 0.5):.1f} "
          f"p95_ms={percentile(samples, 0.95):.1f} top3={top3:.2f}")


if __name__ == "__main__":
    main()
