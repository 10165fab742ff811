"""Builders for the dossier tests (no tests here): factory-boy factories for
agencies, fields, procedure pages, citizens and staff, the short functions
the test modules call, and real files of every accepted kind (and broken
ones), made in memory with Pillow, openpyxl and zipfile."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from decimal import Decimal

import factory
import wagtail_factories
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory
from wagtail.models import Locale

from accounts.models import CitizenProfile, StaffMembership, User
from home.setup import ensure_site
from procedures.models import Agency, Field, ProcedureIndexPage, ProcedurePage

PROVINCE_CODE = "000.00.00.H30"
JUSTICE_CODE = "000.00.10.H30"
WARD_CODE = "000.20.30.H30"
OTHER_WARD_CODE = "000.21.30.H30"


def vi() -> Locale:
    return Locale.objects.get_or_create(language_code="vi")[0]


def en() -> Locale:
    return Locale.objects.get_or_create(language_code="en")[0]


# ---------------------------------------------------------------- factories


class AgencyFactory(DjangoModelFactory):
    """A Vietnamese agency, reused when its unit code exists; a new one gets
    an English copy ("… (EN)") unless `translate=False`."""

    class Meta:
        model = Agency

    unit_code = factory.Sequence(lambda n: f"000.{n // 100 % 100:02d}.{n % 100:02d}.H31")
    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    tier = "department"
    locale = factory.LazyFunction(vi)
    translate = True

    @classmethod
    def _create(cls, model_class, *args, translate=True, **kwargs):
        agency = model_class.objects.filter(unit_code=kwargs["unit_code"], locale=kwargs["locale"]).first()
        if agency is None:
            agency = super()._create(model_class, *args, **kwargs)
            if translate:
                copy = agency.copy_for_translation(en())
                copy.name = f"{agency.name} (EN)"
                copy.save()
        return agency


class FieldFactory(DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code", "locale")

    code = "ly-lich-tu-phap"
    name = "Lý lịch tư pháp"
    locale = factory.LazyFunction(vi)


def procedure_index() -> ProcedureIndexPage:
    """The Vietnamese catalogue page under the home page, made once."""
    index = ProcedureIndexPage.objects.filter(locale=vi()).first()
    if index is None:
        index = ensure_site().add_child(
            instance=ProcedureIndexPage(title="Thủ tục hành chính", slug="thu-tuc", locale=vi())
        )
    return index


class ProcedurePageFactory(wagtail_factories.PageFactory):
    """A live procedure page in the Vietnamese catalogue, at Sở Tư pháp by default."""

    class Meta:
        model = ProcedurePage

    parent = factory.LazyFunction(procedure_index)
    code = factory.Sequence(lambda n: f"9.{n:06d}")
    title = "Cấp Phiếu lý lịch tư pháp"
    slug = factory.LazyAttribute(lambda page: f"tt-{page.code.replace('.', '-')}")
    field = factory.SubFactory(FieldFactory)
    agency = factory.SubFactory(AgencyFactory, unit_code=JUSTICE_CODE, name="Sở Tư pháp")
    tier = "province"
    level = 3
    processing_time = Decimal("3")
    processing_unit = "working_days"
    submission_methods = factory.LazyFunction(lambda: ["online", "in_person"])
    # level 4 delivers the result online or by post and takes its fees online
    # (procedures.models.fee_rules); below it, the result waits at the office
    online_payment = factory.LazyAttribute(lambda page: page.level == 4)
    result_methods = factory.LazyAttribute(lambda page: ["office", "post", "online"] if page.level == 4 else [])
    locale = factory.LazyFunction(vi)


class UserFactory(DjangoModelFactory):
    """An account with the password "pw", made the way sign-up makes it."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = "pw"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)


class CitizenProfileFactory(DjangoModelFactory):
    class Meta:
        model = CitizenProfile

    user = factory.SubFactory(UserFactory)
    full_name = "Nguyễn Văn An"
    id_number = "001099012345"
    phone = "0912345678"
    date_of_birth = dt.date(1990, 5, 17)
    street = "12 Lê Duẩn"


class CitizenFactory(UserFactory):
    """A citizen: an account with a filled-in profile (`profile__id_number=…`)."""

    class Meta:
        skip_postgeneration_save = True

    profile = factory.RelatedFactory(CitizenProfileFactory, factory_related_name="user")


class StaffMembershipFactory(DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory, unit_code=JUSTICE_CODE, name="Sở Tư pháp")
    role = "receiver"


# ---------------------------------------------------------------- the short forms the tests call


def make_agency(unit_code: str, name: str, tier: str = "department", translate: bool = True) -> Agency:
    return AgencyFactory(unit_code=unit_code, name=name, tier=tier, translate=translate)


def make_procedure(
    code: str = "1.001193",
    agency: Agency | None = None,
    *,
    level: int = 3,
    tier: str = "province",
    processing_time: Decimal | int = 3,
    processing_unit: str = "working_days",
    title: str = "Cấp Phiếu lý lịch tư pháp",
) -> ProcedurePage:
    extra = {"agency": agency} if agency is not None else {}
    return ProcedurePageFactory(
        code=code, title=title, tier=tier, level=level, processing_time=Decimal(str(processing_time)),
        processing_unit=processing_unit, **extra,
    )


def make_citizen(username: str, *, id_number: str = "001099012345", phone: str = "0912345678",
                 full_name: str = "Nguyễn Văn An"):
    return CitizenFactory(username=username, profile__id_number=id_number, profile__phone=phone,
                          profile__full_name=full_name)


def make_staff(username: str, agency: Agency, *roles: str):
    user = UserFactory(username=username)
    for role in roles:
        StaffMembershipFactory(user=user, agency=agency, role=role)
    return user


def submit(procedure, applicant, agency=None, key: str | None = None, **kwargs):
    from eforms.services import submit_dossier

    return submit_dossier(
        procedure=procedure, agency=agency or procedure.agency, applicant=applicant,
        form_data=kwargs.pop("form_data", {"purpose": "Xin việc"}), idempotency_key=key or uuid.uuid4().hex,
        login_method=kwargs.pop("login_method", "email"), **kwargs,
    ).dossier


# ---------------------------------------------------------------- files


def pdf_bytes(text: str = "Giay khai sinh") -> bytes:
    """A small, well-formed PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size=(40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "Danh sách"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes(macro: bool = False) -> bytes:
    main = (
        "application/vnd.ms-word.document.macroEnabled.main+xml"
        if macro
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Đơn đề nghị</w:t></w:r></w:p></w:body>'
            "</w:document>",
        )
        if macro:
            package.writestr("word/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


def exe_bytes() -> bytes:
    """The start of a Windows program (MZ header, PE signature)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + (
        b"\x00" * 64 + b"PE\x00\x00" + b"\x00" * 400
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """What the browser sends: the name and type are the client's claim only."""
    return SimpleUploadedFile(name, content, content_type=content_type)
