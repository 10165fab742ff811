"""Safe uploads (eforms.uploads): judged by content, limits per field and per
dossier, private storage with random names and SHA-256, purge of drafts."""

import datetime as dt
import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from eforms.models import Attachment
from eforms.services import save_draft
from eforms.uploads import UploadRules, check_file, check_uploads, store
from tests.dossier_factories import (
    docx_bytes,
    exe_bytes,
    image_bytes,
    make_citizen,
    make_procedure,
    pdf_bytes,
    submit,
    upload,
    xlsx_bytes,
)

RULES = UploadRules(allowed_types=("pdf", "jpeg", "png", "docx", "xlsx"), max_file_size=200_000, max_files=3)


@pytest.mark.parametrize(
    "name,content,kind",
    [
        ("giay-khai-sinh.pdf", pdf_bytes(), "pdf"),
        ("anh.jpg", image_bytes("JPEG"), "jpeg"),
        ("anh.png", image_bytes("PNG"), "png"),
        ("don.docx", docx_bytes(), "docx"),
        ("danh-sach.xlsx", xlsx_bytes(), "xlsx"),
        # The name says nothing: a PDF called .jpg is a PDF.
        ("scan.jpg", pdf_bytes(), "pdf"),
    ],
)
def test_accepted_kinds_are_recognised_by_content(name, content, kind):
    checked = check_file(upload(name, content), RULES, "giay_to")
    assert checked.kind == kind
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.size == len(content)


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("giay-to.pdf", exe_bytes(), "executable"),  # a renamed Windows program
        ("anh.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "executable"),  # a renamed Linux program
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "executable"),
        ("empty.pdf", b"", "empty"),
        ("half.pdf", pdf_bytes()[:150], "damaged"),  # a broken, truncated PDF
        ("bad-xref.pdf", pdf_bytes().replace(b"startxref\n", b"startxref\n9"), "damaged"),
        ("broken.png", image_bytes("PNG")[:60], "damaged"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "type"),
        ("archive.docx", b"PK\x03\x04 not really a zip at all", "type"),
        ("macro.docx", docx_bytes(macro=True), "macro"),
        ("big.pdf", pdf_bytes() + b"%" * 200_001, "too_large"),
    ],
)
def test_bad_files_are_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as error:
        check_file(upload(name, content), RULES)
    assert error.value.code == code
    assert name in error.value.messages[0]


def test_types_are_a_setting_per_field():
    only_pdf = UploadRules(allowed_types=("pdf",), max_file_size=100_000, max_files=1)
    with pytest.raises(ValidationError) as error:
        check_file(upload("anh.png", image_bytes("PNG")), only_pdf)
    assert error.value.code == "type" and "PDF" in error.value.messages[0]


def test_default_rules_come_from_settings(settings):
    settings.PORTAL_UPLOAD_ALLOWED_TYPES = ["pdf", "png", "exe"]
    settings.PORTAL_UPLOAD_MAX_FILE_SIZE = 1234
    rules = UploadRules.default()
    assert rules.allowed_types == ("pdf", "png")  # unknown kinds are dropped, never allowed
    assert rules.max_file_size == 1234
    assert UploadRules.default(max_files=2).max_files == 2
    assert UploadRules.default(allowed_types=[], max_file_size=None).allowed_types == ("pdf", "png")
    assert rules.accept_attribute() == ".pdf,.png"


def test_messages_in_vietnamese():
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        check_file(upload("virus.pdf", exe_bytes()), RULES)
    assert "là một chương trình" in error.value.messages[0]


def test_a_form_keeps_the_good_files_and_refuses_the_bad_ones(settings):
    settings.PORTAL_UPLOAD_MAX_FILES_PER_DOSSIER = 5
    files = {
        "ban_sao_cccd": [upload("cccd.pdf", pdf_bytes()), upload("virus.pdf", exe_bytes())],
        "anh_the": [upload(f"anh-{i}.png", image_bytes("PNG")) for i in range(4)],  # one too many
        "to_khai": [upload("to-khai.docx", docx_bytes()), upload("rong.pdf", b"")],
        "bang_ke": [],
    }
    rules = dict.fromkeys(files, RULES) | {"bang_ke": UploadRules(("xlsx",), 100_000, 1, required=True)}
    result = check_uploads(files, rules)
    assert not result.ok
    assert [(c.field_name, c.original_name) for c in result.accepted] == [
        ("ban_sao_cccd", "cccd.pdf"),
        ("anh_the", "anh-0.png"),
        ("anh_the", "anh-1.png"),
        ("anh_the", "anh-2.png"),
        ("to_khai", "to-khai.docx"),
    ]
    assert set(result.errors) == {"ban_sao_cccd", "anh_the", "to_khai", "bang_ke"}
    assert "anh-3.png" in result.errors["anh_the"][0] and "3" in result.errors["anh_the"][0]
    assert "rong.pdf" in result.errors["to_khai"][0]


def test_dossier_limits_count_what_a_draft_already_holds(settings):
    settings.PORTAL_UPLOAD_MAX_FILES_PER_DOSSIER = 4
    settings.PORTAL_UPLOAD_MAX_DOSSIER_SIZE = 10_000_000
    with translation.override("en"):
        result = check_uploads({"a": [upload("1.pdf", pdf_bytes()), upload("2.pdf", pdf_bytes())]}, RULES,
                               existing={"b": 3})
    assert len(result.accepted) == 1
    assert result.errors["a"] == ["“2.pdf” was not added: a dossier can hold at most 4 files."]
    settings.PORTAL_UPLOAD_MAX_DOSSIER_SIZE = len(pdf_bytes()) + 10
    result = check_uploads({"a": [upload("1.pdf", pdf_bytes()), upload("2.pdf", pdf_bytes())]}, RULES)
    assert [c.original_name for c in result.accepted] == ["1.pdf"]
    assert "2.pdf" in result.errors["a"][0]


def test_stored_privately_with_a_random_name(db):
    citizen = make_citizen("an")
    content = pdf_bytes()
    checked = check_file(upload("../../etc/Giấy khai sinh.pdf", content), RULES, "giay_khai_sinh")
    attachment = store(checked, uploaded_by=citizen)
    path = Path(attachment.file.path)
    assert path.read_bytes() == content
    assert Path(settings.PORTAL_PRIVATE_MEDIA_ROOT).resolve() in path.resolve().parents
    assert Path(settings.MEDIA_ROOT).resolve() not in path.resolve().parents
    assert "khai" not in attachment.file.name and len(path.name) == 32
    assert attachment.original_name == "Giấy khai sinh.pdf"
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.content_type == "application/pdf"
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018 - no public URL exists
    attachment.delete()
    assert not path.exists()


def test_download_name_matches_the_content(db):
    checked = check_file(upload("scan.jpg", pdf_bytes()), RULES)
    attachment = store(checked)
    assert attachment.download_name == "scan.pdf"


def test_purge_removes_only_old_draft_uploads(db, settings):
    settings.PORTAL_DRAFT_UPLOAD_RETENTION_HOURS = 24
    citizen = make_citizen("an")
    procedure = make_procedure()
    old = timezone.now() - dt.timedelta(hours=25)

    def stored(name, **links):
        attachment = store(check_file(upload(name, pdf_bytes()), RULES), uploaded_by=citizen, **links)
        Attachment.objects.filter(pk=attachment.pk).update(created_at=old)
        return attachment

    loose = stored("loose.pdf")
    draft = save_draft(procedure=procedure, applicant=citizen, form_data={})
    in_draft = stored("in-draft.pdf", dossier=draft)
    submitted = stored("submitted.pdf")
    submit(procedure, citizen, attachments=[submitted])
    fresh = store(check_file(upload("fresh.pdf", pdf_bytes()), RULES), uploaded_by=citizen)
    paths = {a.original_name: Path(a.file.path) for a in (loose, in_draft, submitted, fresh)}

    out = StringIO()
    call_command("purge_draft_uploads", "--dry-run", stdout=out)
    assert "2 draft upload" in out.getvalue()
    assert Attachment.objects.count() == 4
    call_command("purge_draft_uploads", stdout=StringIO())
    assert set(Attachment.objects.values_list("original_name", flat=True)) == {"submitted.pdf", "fresh.pdf"}
    assert not paths["loose.pdf"].exists() and not paths["in-draft.pdf"].exists()
    assert paths["submitted.pdf"].exists() and paths["fresh.pdf"].exists()


def test_submission_links_only_the_applicants_own_uploads(db):
    from eforms.services import SubmissionError

    citizen, other = make_citizen("an"), make_citizen("binh", id_number="001099099999")
    procedure = make_procedure()
    theirs = store(check_file(upload("x.pdf", pdf_bytes()), RULES), uploaded_by=other)
    with pytest.raises(SubmissionError):
        submit(procedure, citizen, attachments=[theirs])
    assert Attachment.objects.get(pk=theirs.pk).dossier_id is None
    mine = store(check_file(upload("y.pdf", pdf_bytes()), RULES), uploaded_by=citizen)
    dossier = submit(procedure, citizen, attachments=[mine])
    assert list(dossier.attachments.all()) == [mine]
