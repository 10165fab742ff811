"""Search speed, cold and warm, and ranking quality on a held-out query set.

    .venv/bin/python bench/search.py [--procedures 5000] [--rounds 5] [--keep DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search .venv/bin/python bench/search.py

The database is its own: a SQLite file in a temporary folder by default (so it
runs beside a served portal), or, when DATABASE_URL names PostgreSQL, the
database the URL names (``bench_search`` if none), dropped and created afresh
and dropped at the end. It refuses ``test`` (CI's) and the server's own
databases. It loads the demo province, then imports, through
``manage.py import_procedures``, near-duplicates of the demo procedures (the
ones a clerk must tell apart: birth registration, re-registration and with a
foreign element; building permit new, extended, adjusted, re-issued; household
business established, changed, re-issued) and generated procedures sharing
their words, up to N procedures in all.

It then asks the search page (``GET /search/?q=``, in-process through Django's
test client) the queries of ``bench/data/search_queries.tsv``, a set written
apart from the search app's synonyms and best bets (its header says how):

- cold: the first request of each distinct query, each after the cache is
  cleared and the database connection closed (so it pays for a new
  connection, the site root paths and the search app's cached labels). The
  database server's and the OS's own page caches are not dropped.
- warm: the same queries again, ``--rounds`` times each, on a kept connection
  (what ``DJANGO_DB_CONN_MAX_AGE`` > 0 gives a served portal; the cost of
  opening a connection is printed apart).
- the search function alone (no page), warm, one pass, when it can be imported.

Quality is read from the cold pages: the procedure codes of the ranked result
list, in order (editors' best bets shown above it are not counted). top1/top3
are the shares of answerable queries whose expected procedure is first/among
the first three results; none_ok is the share of unanswerable queries answered
with an empty result list. Misses are printed; no figure makes it fail. It
exits non-zero only when it cannot run (no database, no query file, a page
that does not answer 200 or whose results cannot be read). The last line:

    search procedures=N p50_ms=… p95_ms=… top3=… db=… queries=… cold_p50_ms=…
    cold_p95_ms=… warm_p50_ms=… warm_p95_ms=… warm_samples=… top1=… none_ok=…

(one line; p50_ms/p95_ms are the warm page figures, as before the split).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PG_REFUSED, PostgresDatabase, database_name, percentile  # noqa: E402

QUERY_FILE = ROOT / "bench" / "data" / "search_queries.tsv"
PG_DEFAULT_NAME = "bench_search"

# The import file's columns (the format `manage.py import_procedures` documents).
COLUMNS = ("code", "name", "field", "agency_code", "tier", "level", "processing_days", "fee_vnd", "fee_note",
           "co_agency_codes", "applicants", "steps", "components", "submission_methods", "result",
           "requirements", "legal_basis", "fee_items", "online_payment", "result_methods")

# Procedures the demo catalogue lacks beside ones it has, named as the national
# catalogue names them; codes 8.0000xx so they never collide with real ones.
# (code, name, field, agency, tier, level)
NEAR_DUPLICATES = [
    ("8.000001", "Đăng ký khai sinh có yếu tố nước ngoài", "Hộ tịch", "000.20.30.H30", "commune", 3),
    ("8.000002", "Đăng ký khai sinh kết hợp nhận cha, mẹ, con", "Hộ tịch", "000.20.30.H30", "commune", 3),
    ("8.000003", "Đăng ký lại khai sinh có yếu tố nước ngoài", "Hộ tịch", "000.20.30.H30", "commune", 2),
    ("8.000004", "Đăng ký kết hôn có yếu tố nước ngoài", "Hộ tịch", "000.20.30.H30", "commune", 3),
    ("8.000005", "Đăng ký lại kết hôn", "Hộ tịch", "000.20.30.H30", "commune", 3),
    ("8.000006", "Đăng ký lại khai tử", "Hộ tịch", "000.20.30.H30", "commune", 3),
    ("8.000007", "Điều chỉnh giấy phép xây dựng", "Xây dựng", "000.00.11.H30", "province", 3),
    ("8.000008", "Cấp lại giấy phép xây dựng", "Xây dựng", "000.00.11.H30", "province", 3),
    ("8.000009", "Cấp giấy phép di dời công trình", "Xây dựng", "000.00.11.H30", "province", 2),
    ("8.000010", "Cấp giấy phép xây dựng có thời hạn đối với nhà ở riêng lẻ", "Xây dựng", "000.00.11.H30",
     "province", 3),
    ("8.000011", "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh",
     "000.23.30.H30", "commune", 3),
    ("8.000012", "Cấp thẻ Căn cước cho công dân từ đủ 14 tuổi trở lên", "Hộ tịch", "000.20.30.H30", "commune", 3),
    ("8.000013", "Cấp đổi, cấp lại thẻ Căn cước", "Hộ tịch", "000.20.30.H30", "commune", 3),
    ("8.000014", "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "Đường bộ", "000.00.11.H30", "province", 4),
    ("8.000015", "Cấp lại giấy phép lái xe", "Đường bộ", "000.00.11.H30", "province", 4),
    ("8.000016", "Cấp giấy phép lái xe quốc tế", "Đường bộ", "000.00.11.H30", "province", 4),
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
FIELDS = ["Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Thành lập và hoạt động của hộ kinh doanh",
          "Thành lập và hoạt động doanh nghiệp", "Giáo dục và Đào tạo", "Khám bệnh, chữa bệnh",
          "Lao động, việc làm", "Bảo trợ xã hội", "Văn hóa", "Đường bộ", "Môi trường", "Lý lịch tư pháp"]
AGENCIES = ["000.00.10.H30", "000.00.11.H30", "000.00.12.H30", "000.00.13.H30", "000.00.14.H30",
            "000.00.15.H30", "000.00.17.H30", "000.00.18.H30", "000.20.30.H30", "000.21.30.H30",
            "000.22.30.H30", "000.23.30.H30", "000.24.30.H30", "000.25.30.H30"]
STEPS = ("Bước 1: Tổ chức, cá nhân chuẩn bị hồ sơ theo quy định.\n"
         "Bước 2: Nộp hồ sơ tại Bộ phận Một cửa hoặc trực tuyến trên Cổng dịch vụ công.\n"
         "Bước 3: Cơ quan có thẩm quyền thẩm định hồ sơ và trả kết quả.")
REQUIREMENTS = ["Có đủ năng lực hành vi dân sự.", "Không thuộc trường hợp bị cấm theo quy định của pháp luật.",
                "Đáp ứng điều kiện về cơ sở vật chất.", "Có văn bản chấp thuận của cơ quan quản lý.",
                "Nộp đủ phí, lệ phí theo quy định.", "Có bản cam kết thực hiện đúng quy định."]


@dataclass
class Query:
    text: str
    expected: tuple[str, ...]  # empty: nothing in the catalogue answers it
    kind: str


def read_queries(path: Path) -> list[Query]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, expected, kind = line.split("\t")
        codes = () if expected.strip() == "-" else tuple(expected.strip().split("|"))
        queries.append(Query(text.strip(), codes, kind.strip()))
    return queries


def catalogue_csv(extra: int) -> bytes:
    """The near-duplicates, then generated procedures sharing their words,
    `extra` rows in all (at least the near-duplicates)."""
    rng = random.Random(4)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)

    def row(code, name, field, agency, tier, level):
        reqs = "\n".join(rng.sample(REQUIREMENTS, 3))
        lowered = name[0].lower() + name[1:]
        components = f"Đơn đề nghị {lowered} | 1 | bản chính\nBản sao giấy tờ tùy thân | 1 | bản sao"
        writer.writerow([code, name, field, agency, tier, level, rng.choice([3, 5, 10, 15, 20]),
                         rng.choice(["", "50000", "100000", "0"]), "", "", "Cá nhân\nTổ chức", STEPS, components,
                         "in_person\nonline", f"Văn bản {lowered}", reqs, "",
                         # level 4 delivers online or by post and takes its fee online (the import's rule)
                         "", "yes" if level == 4 else "no", "office, post, online" if level == 4 else ""])

    for near in NEAR_DUPLICATES:
        row(*near)
    seen = {name for _code, name, *_ in NEAR_DUPLICATES}
    n = 0
    while len(seen) < extra:
        name = f"{rng.choice(ACTIONS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}"
        if rng.random() < 0.5:
            name += f" {rng.choice(QUALIFIERS)}"
        if name in seen:
            continue
        seen.add(name)
        n += 1
        agency = rng.choice(AGENCIES)
        tier = "commune" if agency.startswith("000.2") else "province"
        row(f"9.{n:06d}", name, rng.choice(FIELDS), agency, tier, rng.randint(1, 4))
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- database


def configure(args) -> tuple[str, Path, bool, PostgresDatabase | None]:
    """Point the settings at the benchmark's own database and media folder;
    return (label, folder, fresh, postgres)."""
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL", "")
    postgres = None
    if url.startswith(("postgres://", "postgresql://")):
        name = database_name(url) or PG_DEFAULT_NAME
        if name in PG_REFUSED:
            sys.exit(f"bench/search.py: will not use the database {name!r}; name one of its own, "
                     f"e.g. postgres://postgres@127.0.0.1:5432/{PG_DEFAULT_NAME}")
        postgres = PostgresDatabase(url, name, keep=bool(args.keep), program="bench/search.py")
        fresh = postgres.create()
        os.environ["DATABASE_URL"] = postgres.url
        label = "postgresql"
    elif url and not url.startswith("sqlite"):
        sys.exit(f"bench/search.py: DATABASE_URL must be SQLite or PostgreSQL, not {url.split(':')[0]}")
    else:
        db_path = folder / "bench.sqlite3"
        fresh = not db_path.exists()
        os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
        label = "sqlite"
    os.environ["DJANGO_MEDIA_ROOT"] = str(folder / "media")
    os.environ["DJANGO_STATIC_ROOT"] = str(folder / "static")  # empty; served from the apps' folders
    (folder / "static").mkdir(exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["SEARCH_STATS_FLUSH_SECONDS"] = "0"
    return label, folder, fresh, postgres


def load_catalogue(count: int, folder: Path) -> None:
    from django.apps import apps
    from django.core.management import call_command

    import home.demo
    import procedures.demo
    import search.demo

    quiet = io.StringIO()
    home.demo.load(quiet)
    procedures.demo.load(quiet)
    ProcedurePage = apps.get_model("procedures", "ProcedurePage")
    existing = ProcedurePage.objects.filter(locale__language_code="vi").count()
    path = folder / "catalogue.csv"
    path.write_bytes(catalogue_csv(max(len(NEAR_DUPLICATES), count - existing)))
    t0 = time.perf_counter()
    out, err = io.StringIO(), io.StringIO()
    call_command("import_procedures", str(path), stdout=out, stderr=err)
    print(f"import: {out.getvalue().strip().splitlines()[-1]} in {time.perf_counter() - t0:.1f} s")
    for line in err.getvalue().splitlines()[:5]:
        print("  " + line)
    search.demo.load(quiet)


# ---------------------------------------------------------------- the page

RESULT_LIST = re.compile(r'<ol class="search-results__list"[^>]*>(.*?)</ol>', re.S)
RESULT_ITEM = re.compile(r'<li class="search-result\b[^"]*"[^>]*>(.*?)</li>', re.S)
RESULT_CODE = re.compile(r'class="search-result__code"[^>]*>\s*([^<\s]+)')
RESULT_TITLE = re.compile(r"<h3>\s*<a [^>]*>(.*?)</a>", re.S)


def ranked_results(html: str) -> list[tuple[str, str]]:
    """(procedure code or "", title) of each result of the ranked list, in order."""
    found = RESULT_LIST.search(html)
    if not found:
        return []
    out = []
    for item in RESULT_ITEM.findall(found.group(1)):
        code = RESULT_CODE.search(item)
        title = RESULT_TITLE.search(item)
        out.append((code.group(1) if code else "", title.group(1).strip() if title else "?"))
    return out


def search_function():
    """The search function, wherever the search package keeps it, and the
    locale it needs; (None, None) when it cannot be found (only the page is
    then timed: the page URL is the stable interface)."""
    from wagtail.models import Locale

    for module_name in ("search.services", "search.query", "search.engine", "search"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if callable(getattr(module, "run_search", None)):
            return module.run_search, Locale.objects.get(language_code="vi")
    return None, None


def time_ms(call, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    value = call(*args, **kwargs)
    return (time.perf_counter() - t0) * 1000, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=5000, help="procedures in the catalogue (vi)")
    parser.add_argument("--rounds", type=int, default=5, help="warm repetitions of each query")
    parser.add_argument("--queries", type=Path, default=QUERY_FILE)
    parser.add_argument("--keep", help="keep the database (and its folder) for the next run")
    args = parser.parse_args()
    if not args.queries.exists():
        sys.exit(f"bench/search.py: no query file {args.queries}")
    queries = read_queries(args.queries)

    label, folder, fresh, postgres = configure(args)

    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404 probe below
    from django.apps import apps
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        if fresh:
            load_catalogue(args.procedures, folder)
            if postgres:
                # A served database has its planner statistics (autovacuum
                # gathers them); one just bulk-loaded has none yet.
                with connections["default"].cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(f"database ready in {time.perf_counter() - started:.1f} s")
        ProcedurePage = apps.get_model("procedures", "ProcedurePage")
        total = ProcedurePage.objects.filter(locale__language_code="vi").count()
        known = set(ProcedurePage.objects.filter(locale__language_code="vi").values_list("code", flat=True))
        unknown = sorted({c for q in queries for c in q.expected} - known)
        if unknown:
            print(f"warning: expected codes not in the catalogue (those queries cannot score): {unknown}")
        report(label, total, queries, args.rounds, Client(HTTP_HOST="localhost"), cache, connections)
    finally:
        connections.close_all()
        if postgres:
            postgres.drop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def report(label, total, queries, rounds, client, cache, connections) -> None:
    def page(text):
        response = client.get("/search/", {"q": text})
        if response.status_code != 200:
            sys.exit(f"bench/search.py: /search/?q={text} answered {response.status_code}")
        return response.content.decode("utf-8")

    page("khong phai truy van cua bo do")  # load templates and code once, outside the figures

    # cold: each distinct query once, after clearing the cache and the connection
    cold, results = [], {}
    for query in queries:
        cache.clear()
        connections.close_all()
        elapsed, html = time_ms(page, query.text)
        cold.append(elapsed)
        results[query.text] = ranked_results(html)
    connections.close_all()
    connect_ms, _ = time_ms(connections["default"].ensure_connection)

    # warm: the same queries again, each `rounds` times
    warm: dict[str, list[float]] = {q.text: [] for q in queries}
    for _ in range(rounds):
        for query in queries:
            elapsed, _html = time_ms(page, query.text)
            warm[query.text].append(elapsed)
    warm_all = [t for values in warm.values() for t in values]

    answerable = [q for q in queries if q.expected]
    if answerable and not any(results[q.text] for q in answerable):
        sys.exit("bench/search.py: no result could be read from any search page; has search.html changed "
                 "(ol.search-results__list, li.search-result, .search-result__code)?")

    # quality
    top1 = top3 = 0
    misses, by_kind = [], {}
    for query in answerable:
        codes = [code for code, _title in results[query.text]]
        rank = next((i for i, code in enumerate(codes) if code in query.expected), None)
        top1 += rank == 0
        top3 += rank is not None and rank < 3
        hits = by_kind.setdefault(query.kind, [0, 0])
        hits[0] += rank is not None and rank < 3
        hits[1] += 1
        if rank != 0:
            misses.append((query, rank))
    unanswerable = [q for q in queries if not q.expected]
    none_ok = [q for q in unanswerable if not results[q.text]]

    # the search function alone, warm: one more pass (the page figures are the ones that count)
    function, locale = search_function()
    service = []
    if function is not None:
        for query in queries:
            elapsed, _ = time_ms(function, query.text, locale, {}, record=False)
            service.append(elapsed)

    # suggestions and the site frame every page renders
    suggest = []
    for query in queries[:30]:
        elapsed, _ = time_ms(client.get, "/search/suggest/", {"q": query.text[:6]})
        suggest.append(elapsed)
    chrome = [time_ms(client.get, "/nonexistent-page-for-bench/")[0] for _ in range(20)]
    slowest = sorted(warm.items(), key=lambda item: -statistics.median(item[1]))[:5]

    print(f"\n{label}, {total} procedures (vi), {len(queries)} queries "
          f"({len(answerable)} answerable, {len(unanswerable)} with nothing to find)")
    print(f"cold page (cache cleared, new connection; n={len(cold)}): p50 {percentile(cold, 50):.1f} ms, "
          f"p95 {percentile(cold, 95):.1f} ms, max {max(cold):.1f} ms")
    print(f"warm page (n={len(warm_all)}, {rounds} per query): p50 {percentile(warm_all, 50):.1f} ms, "
          f"p95 {percentile(warm_all, 95):.1f} ms, mean {statistics.mean(warm_all):.1f} ms "
          f"(~{1000 / statistics.mean(warm_all):.0f} requests/s for one client in-process)")
    print(f"opening a database connection: {connect_ms:.1f} ms (paid by every request when "
          f"DJANGO_DB_CONN_MAX_AGE is 0)")
    if service:
        print(f"search function alone, warm (n={len(service)}): p50 {percentile(service, 50):.1f} ms, "
              f"p95 {percentile(service, 95):.1f} ms")
    else:
        print("search function alone: not found (only the page was timed)")
    print(f"suggestions (n={len(suggest)}): p50 {percentile(suggest, 50):.1f} ms; a 404 page with the same "
          f"frame: {statistics.median(chrome):.1f} ms")
    print("slowest warm queries (median ms): " + ", ".join(f"{q!r} {statistics.median(t):.1f}" for q, t in slowest))
    stats_cost()

    print(f"\nquality: top1 {top1}/{len(answerable)}, top3 {top3}/{len(answerable)}; "
          f"nothing answered for {len(none_ok)}/{len(unanswerable)} unanswerable queries")
    print("top3 by kind: " + ", ".join(f"{kind} {hit}/{n}" for kind, (hit, n) in sorted(by_kind.items())))
    for query, rank in misses:
        got = "; ".join(f"{code or '-'} {title[:45]}" for code, title in results[query.text][:3]) or "nothing"
        where = "not in the results" if rank is None else f"at rank {rank + 1}"
        print(f"  miss ({query.kind}): {query.text!r} expected {'|'.join(query.expected)} {where}; got {got}")
    for query in unanswerable:
        if results[query.text]:
            got = "; ".join(f"{code or '-'} {title[:45]}" for code, title in results[query.text][:3])
            print(f"  answered although nothing matches: {query.text!r}: {got}")

    print(f"search procedures={total} p50_ms={percentile(warm_all, 50):.1f} p95_ms={percentile(warm_all, 95):.1f} "
          f"top3={share(top3, len(answerable))} db={label} queries={len(queries)} "
          f"cold_p50_ms={percentile(cold, 50):.1f} cold_p95_ms={percentile(cold, 95):.1f} "
          f"warm_p50_ms={percentile(warm_all, 50):.1f} warm_p95_ms={percentile(warm_all, 95):.1f} "
          f"warm_samples={len(warm_all)} top1={share(top1, len(answerable))} "
          f"none_ok={share(len(none_ok), len(unanswerable))}")


def share(count: int, out_of: int) -> str:
    return f"{count / out_of:.2f}" if out_of else "n/a"


def stats_cost() -> None:
    """The in-memory statistics counter on the request path, where it exists."""
    try:
        from search import stats
    except ImportError:  # the statistics may move out of the search package
        return
    record, flush = getattr(stats, "record", None), getattr(stats, "flush", None)
    if not callable(record):
        return
    n = 20000
    t0 = time.perf_counter()
    for i in range(n):
        record("dang ky khai sinh", f"q{i % 500}", "vi", i % 3)
    cost = (time.perf_counter() - t0) / n * 1e6
    written = flush() if callable(flush) else "?"
    print(f"statistics: {cost:.2f} µs per search recorded in memory; flush wrote {written} rows")


if __name__ == "__main__":
    main()
