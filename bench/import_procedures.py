"""Import speed of the procedure catalogue.

    .venv/bin/python bench/import_procedures.py [--rows 10000] [--keep DIR]

Creates its own SQLite database in a temporary folder (so it runs beside a
served portal), migrates it, makes a province with 60 agencies, the demo
fields and a few legal documents, generates N realistic rows (multi-line
steps, components with copies and kinds, co-handling agencies, legal basis,
a few unknown fields) and imports them through `procedures.importing`, the
code behind `manage.py import_procedures` and the admin screen. Then:

* imports the same file again (everything unchanged);
* re-imports it with 10 % of the rows changed (each changed page gets a new
  revision and is published, as an editor's change would be);
* goes through the admin's upload → preview → confirm screens with Django's
  test client, signed in as a superuser who passed the second factor, with a
  file where another 10 % of the rows changed and 5 % are new;
* exports the catalogue and compares it with the last file imported, and
  exits with status 1 when export → import is not the identity.

Prints the figures and, as its last line:

    import rows=10000 seconds=… reimport_seconds=… admin_seconds=… identity=ok

`seconds` is the first import (read, validate, plan, write and index),
`reimport_seconds` the import of the 10 %-changed file, `admin_seconds` the
admin's preview and confirm requests together.

Target on a 2-core machine: 10,000 rows in under a minute.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIELDS = ["Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Lý lịch tư pháp", "Thành lập và hoạt động doanh nghiệp",
          "Giáo dục và Đào tạo", "Khám bệnh, chữa bệnh", "Lao động, việc làm", "Bảo trợ xã hội", "Văn hóa",
          "Đường bộ", "Môi trường", "Thủy lợi", "Lâm nghiệp"]
VERBS = ["Cấp", "Cấp lại", "Cấp đổi", "Điều chỉnh", "Gia hạn", "Đăng ký", "Thu hồi", "Xác nhận", "Công nhận", "Thẩm định"]
OBJECTS = ["giấy phép xây dựng nhà ở riêng lẻ", "giấy chứng nhận quyền sử dụng đất", "phiếu lý lịch tư pháp",
           "giấy phép hành nghề khám bệnh, chữa bệnh", "giấy chứng nhận đăng ký hộ kinh doanh", "giấy phép lao động",
           "bản sao trích lục hộ tịch", "giấy phép kinh doanh vận tải", "giấy phép môi trường",
           "chứng chỉ hành nghề xây dựng", "giấy phép kinh doanh dịch vụ karaoke", "văn bằng, chứng chỉ"]
LEGAL = ["60/2014/QH13", "123/2015/NĐ-CP", "31/2024/QH15", "101/2024/NĐ-CP", "50/2014/QH13", "59/2020/QH14",
         "168/2025/NĐ-CP", "118/2025/NĐ-CP"]
KINDS = ["bản chính", "bản sao", "bản sao chứng thực", "bản chính hoặc bản sao"]
COLUMNS = ("code", "name", "field", "agency_code", "tier", "level", "processing_days", "fee_vnd", "fee_note",
           "co_agency_codes", "applicants", "steps", "components", "submission_methods", "result", "requirements",
           "legal_basis", "fee_items", "online_payment", "result_methods")


def province_codes() -> tuple[list[str], list[str]]:
    departments = [f"000.00.{n:02d}.H30" for n in range(1, 20)]
    communes = [f"000.{n:02d}.30.H30" for n in range(20, 61)]
    return departments, communes


def rows(n: int, seed: int = 2025, start: int = 0) -> list[dict[str, str]]:
    rng = random.Random(seed)
    departments, communes = province_codes()
    out = []
    for i in range(start, start + n):
        commune = rng.random() < 0.55
        agency = rng.choice(communes if commune else departments)
        field = FIELDS[i % len(FIELDS)] if i % 97 else f"Lĩnh vực thử nghiệm {i % 5}"
        name = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} (mẫu {i + 1})"
        components = "\n".join(
            f"Thành phần hồ sơ {k + 1} của thủ tục {i + 1} | {rng.randint(1, 3)} | {rng.choice(KINDS)}"
            for k in range(rng.randint(1, 4))
        )
        level = rng.choice([2, 3, 3, 4, 4])
        out.append({
            "code": f"9.{i:06d}",
            "name": name,
            "field": field,
            "agency_code": agency,
            "tier": "commune" if commune else "province",
            "level": str(level),
            "processing_days": str(rng.choice([1, 3, 5, 7, 10, 15, 20, 30])),
            "fee_vnd": str(rng.choice(["", "0", "15000", "50000", "100000", "200000", "1.500.000"])),
            "fee_note": rng.choice(["", "Miễn phí đối với hộ nghèo.", "Mức thu theo Nghị quyết của HĐND tỉnh."]),
            "co_agency_codes": "\n".join(rng.sample(departments, rng.randint(0, 2))),
            "applicants": "Cá nhân\nTổ chức",
            "steps": "\n".join(f"Bước {s}: xử lý hồ sơ thủ tục {i + 1}, giai đoạn {s}." for s in range(1, rng.randint(3, 6))),
            "components": components,
            "submission_methods": "\n".join(rng.sample(["in_person", "online", "post"], rng.randint(1, 3))),
            "result": "Quyết định hoặc giấy phép",
            "requirements": rng.choice(["", "Không có tranh chấp.", "Đủ 18 tuổi trở lên.\nCó năng lực hành vi dân sự."]),
            "legal_basis": "\n".join(rng.sample(LEGAL, rng.randint(0, 3))),
            # level 4 delivers online or by post and takes its fees online (the import's rule)
            "fee_items": "", "online_payment": "yes" if level == 4 else "no",
            "result_methods": "office, post, online" if level == 4 else "",
        })
    return out


def to_csv(data: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in data:
        writer.writerow([row[c] for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def setup_province() -> None:
    from wagtail.models import Locale

    from home.setup import ensure_site
    from procedures.models import Agency, LegalDocumentIndexPage, LegalDocumentPage, ProcedureIndexPage

    home = ensure_site()
    vi = Locale.objects.get(language_code="vi")
    province = Agency.objects.create(name="Ủy ban nhân dân tỉnh", tier="province", unit_code="000.00.00.H30", locale=vi)
    departments, communes = province_codes()
    Agency.objects.bulk_create(
        [Agency(name=f"Sở số {c[7:9]}", tier="department", unit_code=c, parent=province, locale=vi) for c in departments]
        + [Agency(name=f"Ủy ban nhân dân xã số {c[4:6]}", tier="commune", unit_code=c, parent=province, locale=vi)
           for c in communes]
    )
    home.add_child(instance=ProcedureIndexPage(title="Thủ tục hành chính", slug="thu-tuc-hanh-chinh", locale=vi))
    docs = home.add_child(instance=LegalDocumentIndexPage(title="Văn bản", slug="van-ban", locale=vi))
    for number in LEGAL:
        docs.add_child(instance=LegalDocumentPage(title=f"Văn bản {number}", slug=number.replace("/", "-").lower()
                                                  .replace("đ", "d"), number=number, doc_type="decree",
                                                  issuer="Chính phủ", signed_date=date(2024, 1, 1), locale=vi))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the first import (default 10000)")
    parser.add_argument("--keep", help="Use (and keep) this folder instead of a temporary one.")
    args = parser.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "bench.sqlite3"
    if db_path.exists():
        db_path.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(folder / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DJANGO_DEBUG"] = "false"

    import django

    django.setup()
    # the portal's modules are imported once the settings above are in place
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    setup_province()
    print(f"database {db_path} migrated and seeded in {time.perf_counter() - started:.1f} s")

    data = rows(args.rows)
    payload = to_csv(data)
    print(f"generated {len(data)} rows, {len(payload) / 1e6:.1f} MB of CSV")

    from procedures.exporting import iter_rows
    from procedures.importing import ImportContext, apply_plan, plan_import, read_table
    from procedures.models import ProcedureComponent, ProcedurePage

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    table = read_table(io.BytesIO(payload), "bench.csv")
    t1 = time.perf_counter()
    ctx = ImportContext()
    plan = plan_import(table, ctx)
    t2 = time.perf_counter()
    result = apply_plan(plan, ctx)
    t3 = time.perf_counter()
    seconds = t3 - t0
    cpu = time.process_time() - cpu0
    print(f"read {t1 - t0:.2f} s, validate and plan {t2 - t1:.2f} s, write and index {t3 - t2:.2f} s")
    print(f"first import: created={result.created} updated={result.updated} refused={len(result.refused)} "
          f"new_fields={len(result.new_fields)} in {seconds:.2f} s ({result.created / seconds:.0f} rows/s), "
          f"{cpu:.1f} s of CPU in this process; load average {load:.1f} on {os.cpu_count()} CPUs when it started "
          "(the wall time stretches when other work shares the machine)")
    print(f"pages={ProcedurePage.objects.count()} components={ProcedureComponent.objects.count()}")

    t4 = time.perf_counter()
    ctx = ImportContext()
    again = apply_plan(plan_import(read_table(io.BytesIO(payload), "bench.csv"), ctx), ctx)
    print(f"second import: created={again.created} updated={again.updated} unchanged={again.unchanged} "
          f"in {time.perf_counter() - t4:.2f} s")

    changed = change_rows(data, every=10, seed=1)
    t5 = time.perf_counter()
    ctx = ImportContext()
    third = apply_plan(plan_import(read_table(io.BytesIO(to_csv(changed)), "bench.csv"), ctx), ctx)
    reimport_seconds = time.perf_counter() - t5
    print(f"re-import with 10 % of rows changed: created={third.created} updated={third.updated} "
          f"unchanged={third.unchanged} refused={len(third.refused)} in {reimport_seconds:.2f} s")

    admin_rows = change_rows(changed, every=10, seed=2, offset=5) + rows(max(1, len(data) // 20), seed=7,
                                                                         start=len(data))
    preview_seconds, confirm_seconds, counts = admin_import(to_csv(admin_rows))
    admin_seconds = preview_seconds + confirm_seconds
    print(f"admin upload of {len(admin_rows)} rows (10 % changed, {len(admin_rows) - len(data)} new): preview "
          f"{preview_seconds:.2f} s, confirm {confirm_seconds:.2f} s; pages now {counts}")

    t6 = time.perf_counter()
    exported = {r["code"]: r for r in iter_rows()}
    last = read_table(io.BytesIO(to_csv(admin_rows)), "bench.csv")
    differing = [cells["code"] for _line, cells in last
                 if cells["code"] not in exported or normal(cells) != normal(exported[cells["code"]])]
    extra = len(exported) - len(last)
    identity = "ok" if not differing and extra == 0 else "failed"
    print(f"export of {len(exported)} rows in {time.perf_counter() - t6:.2f} s; rows differing from the last "
          f"file after normalisation: {len(differing)} {differing[:5]}; pages not in the file: {extra}")
    print(f"import rows={result.created} seconds={seconds:.1f} reimport_seconds={reimport_seconds:.1f} "
          f"admin_seconds={admin_seconds:.1f} identity={identity}")
    if identity != "ok":
        sys.exit(1)


def normal(cells: dict[str, str]) -> dict[str, str]:
    """The cells as export writes them: fees without grouping, co-handling
    agencies and legal basis sorted (their order is not stored)."""
    return {**cells, "fee_vnd": cells["fee_vnd"].replace(".", ""),
            "co_agency_codes": "\n".join(sorted(cells["co_agency_codes"].split("\n"))).strip(),
            "legal_basis": "\n".join(sorted(cells["legal_basis"].split("\n"))).strip()}


def change_rows(data: list[dict[str, str]], *, every: int, seed: int, offset: int = 0) -> list[dict[str, str]]:
    """A copy of `data` with one row in `every` changed as an editor would:
    a new step, another fee, one more component."""
    rng = random.Random(seed)
    out = []
    for i, row in enumerate(data):
        if i % every == offset:
            row = {**row,
                   "steps": f"{row['steps']}\nBước bổ sung {seed}: trả kết quả qua bưu chính.",
                   "fee_vnd": str(rng.choice([20000, 30000, 250000])),
                   "components": f"{row['components']}\nBản sao giấy tờ bổ sung {seed} | 1 | bản sao"}
        out.append(row)
    return out


def admin_import(payload: bytes) -> tuple[float, float, int]:
    """Upload `payload` on the admin's import screen and confirm the preview,
    as a superuser past the second factor; (preview s, confirm s, pages)."""
    import re

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from procedures.models import ProcedurePage
    from tests.second_factor import pass_second_factor

    user = get_user_model().objects.create_superuser(username="bench-admin", email="bench@example.org",
                                                     password="bench-admin-password")
    client = pass_second_factor(Client(SERVER_NAME="localhost"), user)
    started = time.perf_counter()
    response = client.post(reverse("procedures_import"),
                           {"file": SimpleUploadedFile("bench.csv", payload, content_type="text/csv")})
    preview = time.perf_counter() - started
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    if response.status_code != 200 or match is None:
        sys.exit(f"admin preview failed: HTTP {response.status_code}")
    started = time.perf_counter()
    response = client.post(reverse("procedures_import_confirm"), {"token": match.group(1)})
    confirm = time.perf_counter() - started
    if response.status_code != 200:
        sys.exit(f"admin confirm failed: HTTP {response.status_code}")
    return preview, confirm, ProcedurePage.objects.count()


if __name__ == "__main__":
    main()
