"""Agencies, fields, procedures and legal documents: the procedure catalogue."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from core.disclosure import DisclosureSectionMixin
from core.search_fields import folded_search_fields


class Tier(models.TextChoices):
    """Level of government. Districts were abolished on 1 July 2025; the tier
    stays only for old data (DESIGN.md)."""

    PROVINCE = "province", _("Province")
    DEPARTMENT = "department", _("Provincial department")
    DISTRICT = "district", _("District (before 2025)")
    COMMUNE = "commune", _("Commune")


class Agency(TranslatableMixin, index.Indexed, ClusterableModel):
    """A body that receives and handles dossiers (cơ quan, đơn vị).

    Agencies form a tree: province → departments and the Public
    Administration Service Centre → communes.
    """

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    unit_code = models.CharField(
        _("unit code"),
        max_length=40,
        help_text=_("Identifier in the national catalogue of agency codes, e.g. 000.00.00.H30."),
        validators=[RegexValidator(r"^[0-9A-Za-z.\-]+$", _("Use digits, letters, dots and hyphens only."))],
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("short_name"), FieldPanel("parent"), FieldPanel("tier"),
             FieldPanel("unit_code")],
            heading=_("Agency"),
        ),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("phone"), FieldPanel("email"), FieldPanel("website"),
             FieldPanel("opening_hours")],
            heading=_("Contact"),
        ),
    ]
    search_fields = [
        index.SearchField("name"), index.AutocompleteField("name"), index.SearchField("short_name"),
        index.SearchField("unit_code"), index.AutocompleteField("unit_code"), index.FilterField("tier"),
        index.FilterField("locale_id"),
    ]
    override_translatable_fields = [
        SynchronizedField("unit_code", overridable=False),
        SynchronizedField("parent", overridable=False),
        SynchronizedField("phone", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["unit_code", "locale"], name="unique_agency_unit_code_per_locale"),
        ]

    def __str__(self) -> str:
        return self.name


class Field(TranslatableMixin, index.Indexed, models.Model):
    """A field of administration (lĩnh vực): hộ tịch, đất đai, xây dựng…"""

    name = models.CharField(_("name"), max_length=255)
    code = models.SlugField(_("code"), max_length=64, help_text=_("Short identifier used in addresses, e.g. ho-tich."))
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("description")]
    search_fields = [
        index.SearchField("name"), index.AutocompleteField("name"), index.SearchField("code"),
        index.FilterField("locale_id"),
    ]
    override_translatable_fields = [SynchronizedField("code", overridable=False)]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["code", "locale"], name="unique_field_code_per_locale")]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- procedures

class ProcedureTier(models.TextChoices):
    """The tier that settles a procedure. Districts were abolished on 1 July
    2025; `district` stays only for old data (DESIGN.md)."""

    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District (before 2025)")
    COMMUNE = "commune", _("Commune")


class ServiceLevel(models.IntegerChoices):
    """Online service level of Decree 43/2011 (DESIGN.md, "Online service levels")."""

    LEVEL_1 = 1, _("Level 1")
    LEVEL_2 = 2, _("Level 2")
    LEVEL_3 = 3, _("Level 3")
    LEVEL_4 = 4, _("Level 4")


class ServiceKind(models.TextChoices):
    """The Decree 42/2022 kind derived from the level."""

    PARTIAL = "partial", _("Partial online public service")
    FULL = "full", _("Full online public service")


class ProcessingUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    HOURS = "hours", _("working hours")


class SubmissionMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    POST = "post", _("By post")


class ComponentKind(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    ORIGINAL_OR_COPY = "original_or_copy", _("Original or certified copy")


class ChoiceListField(models.JSONField):
    """A list of choice values stored as JSON, edited as checkboxes.

    Portable across SQLite and PostgreSQL (no ArrayField), and synchronised
    between translations by wagtail-localize like any non-text field.
    """

    def __init__(self, *args, choice_class=None, **kwargs):
        self.choice_class = choice_class
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choice_class", None)
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        from django import forms

        choices = self.choice_class.choices if self.choice_class else []
        return forms.TypedMultipleChoiceField(
            choices=choices,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if self.choice_class is not None:
            allowed = set(self.choice_class.values)
            if not isinstance(value, list) or any(v not in allowed for v in value):
                raise ValidationError(_("Choose only from the listed options."), code="invalid_choice")


def split_lines(text: str) -> list[str]:
    """The non-empty lines of a one-item-per-line field."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# ---------------------------------------------------------------- legal documents

class LegalDocumentType(models.TextChoices):
    LAW = "law", _("Law")
    ORDINANCE = "ordinance", _("Ordinance")
    RESOLUTION = "resolution", _("Resolution")
    DECREE = "decree", _("Decree")
    DECISION = "decision", _("Decision")
    DIRECTIVE = "directive", _("Directive")
    CIRCULAR = "circular", _("Circular")
    JOINT_CIRCULAR = "joint_circular", _("Joint circular")
    OFFICIAL_LETTER = "official_letter", _("Official letter")
    PLAN = "plan", _("Plan")
    OTHER = "other", _("Other")


class LegalDocumentStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    AMENDED = "amended", _("Amended, partly in force")
    NOT_YET = "not_yet", _("Not yet in force")
    EXPIRED = "expired", _("Expired")


class LegalDocumentIndexPage(DisclosureSectionMixin, Page):
    """The system of legal documents (Decree 43 disclosure kind
    `legal_documents`), filtered by type, issuer, year and status."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = [*Page.promote_panels, *DisclosureSectionMixin.disclosure_panels]
    subpage_types = ["procedures.LegalDocumentPage"]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    per_page = 20

    class Meta:
        verbose_name = _("legal document index")

    def documents(self):
        return LegalDocumentPage.objects.live().public().descendant_of(self)

    def get_context(self, request, *args, **kwargs):
        from .catalogue import LegalDocumentFilter

        context = super().get_context(request, *args, **kwargs)
        context.update(LegalDocumentFilter(self.documents(), request.GET).context(per_page=self.per_page))
        return context


class LegalDocumentPage(Page):
    """One legal document (văn bản), e.g. Nghị định 43/2011/NĐ-CP."""

    number = models.CharField(
        _("number and symbol"), max_length=64, help_text=_("As printed on the document, e.g. 43/2011/NĐ-CP."),
    )
    doc_type = models.CharField(_("type"), max_length=24, choices=LegalDocumentType.choices)
    issuer = models.CharField(_("issuing body"), max_length=255, help_text=_("e.g. Chính phủ, Quốc hội, UBND tỉnh."))
    signed_date = models.DateField(_("date signed"))
    effective_date = models.DateField(_("date in force"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=LegalDocumentStatus.choices, default=LegalDocumentStatus.IN_FORCE,
    )
    summary = models.TextField(_("summary"), blank=True, help_text=_("What the document governs, in a few sentences."))
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("file"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("number"), FieldPanel("doc_type"), FieldPanel("issuer"), FieldPanel("signed_date"),
             FieldPanel("effective_date"), FieldPanel("status")],
            heading=_("Document"),
        ),
        FieldPanel("summary"),
        FieldPanel("document"),
    ]
    search_fields = folded_search_fields([
        # the later title entry replaces Page's (modelsearch keeps the last)
        *Page.search_fields,
        index.SearchField("title", boost=4),
        index.SearchField("number", boost=5),
        index.AutocompleteField("number"),
        index.FilterField("number"),
        index.SearchField("issuer"),
        index.SearchField("summary"),
        index.FilterField("doc_type"),
        index.FilterField("status"),
        index.FilterField("signed_date"),
    ])
    override_translatable_fields = [
        SynchronizedField("number", overridable=False),
        SynchronizedField("signed_date", overridable=False),
        SynchronizedField("effective_date", overridable=False),
    ]
    parent_page_types = ["procedures.LegalDocumentIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number}"

    def clean(self):
        super().clean()
        clashes = LegalDocumentPage.objects.filter(number__iexact=self.number, locale_id=self.locale_id)
        if self.pk:
            clashes = clashes.exclude(pk=self.pk)
        if self.number and clashes.exists():
            raise ValidationError({"number": _("Another legal document in this language has this number.")})

    @property
    def year(self) -> int:
        return self.signed_date.year

    def based_procedures(self):
        """The live procedures in this document's language that cite it as
        legal basis (procedures link to the Vietnamese document, so match by
        translation key)."""
        return (
            ProcedurePage.objects.live().public()
            .filter(locale_id=self.locale_id, legal_basis__translation_key=self.translation_key)
            .distinct().order_by("title")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["based_procedures"] = self.based_procedures()
        return context


class ProcedureIndexPage(RoutablePageMixin, DisclosureSectionMixin, Page):
    """The procedure catalogue: every procedure below it, filtered by field,
    agency, tier and level (plain GET parameters), sorted and paginated; with
    one sub-page per agency (`co-quan/<unit code>/`) and per field
    (`linh-vuc/<code>/`)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = [*Page.promote_panels, *DisclosureSectionMixin.disclosure_panels]
    subpage_types = ["procedures.ProcedurePage"]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    per_page = 20

    class Meta:
        verbose_name = _("procedure catalogue")

    def procedures(self):
        return ProcedurePage.objects.live().public().descendant_of(self)

    def _catalogue(self, request, *, agency=None, field=None, template_context=None):
        from .catalogue import ProcedureFilter

        params = request.GET.copy()
        fixed = {}
        if agency is not None:
            fixed["agency"] = agency.unit_code
        if field is not None:
            fixed["field"] = field.code
        catalogue = ProcedureFilter(self.procedures(), params, fixed=fixed)
        context = catalogue.context(per_page=self.per_page)
        for procedure in context["results"]:
            procedure.field_link = self.field_url(procedure.field.code)
            procedure.agency_link = self.agency_url(procedure.agency.unit_code)
        context.update(template_context or {})
        return context

    @path("")
    def catalogue_view(self, request):
        return self.render(request, context_overrides=self._catalogue(request))

    # Wagtail serves only paths made of word characters and hyphens, so the
    # dots of a unit code travel as underscores (a unit code has none):
    # 000.00.10.H30 → co-quan/000_00_10_H30/.
    @re_path(r"^(?:co-quan|agency)/(?P<unit_code>[0-9A-Za-z_\-]+)/$", name="agency")
    def agency_view(self, request, unit_code):
        unit_code = unit_code.replace("_", ".")
        agency = Agency.objects.filter(unit_code=unit_code).order_by("pk").first()
        if agency is None:
            raise Http404(_("No agency has this code."))
        agency = agency.localized
        extra = {"catalogue_agency": agency, "catalogue_title": agency.name}
        return self.render(request, context_overrides=self._catalogue(request, agency=agency, template_context=extra))

    @re_path(r"^(?:linh-vuc|field)/(?P<code>[0-9A-Za-z\-_]+)/$", name="field")
    def field_view(self, request, code):
        field = Field.objects.filter(code=code).order_by("pk").first()
        if field is None:
            raise Http404(_("No field has this code."))
        field = field.localized
        extra = {"catalogue_field": field, "catalogue_title": field.name}
        return self.render(request, context_overrides=self._catalogue(request, field=field, template_context=extra))

    def _sub_url(self, prefix_vi: str, prefix_en: str, value: str) -> str:
        prefix = prefix_en if self.locale.language_code == "en" else prefix_vi
        return f"{self.url}{prefix}/{value}/"

    def agency_url(self, agency: Agency | str) -> str:
        """The catalogue page of one agency (or unit code), in this index's language."""
        return self._sub_url("co-quan", "agency", getattr(agency, "unit_code", agency).replace(".", "_"))

    def field_url(self, field: Field | str) -> str:
        """The catalogue page of one field (or field code), in this index's language."""
        return self._sub_url("linh-vuc", "field", getattr(field, "code", field))


class ProcedurePage(Page):
    """One administrative procedure (thủ tục hành chính), with the
    structured fields the national procedure database uses, shown in this
    order on the page."""

    code = models.CharField(
        _("procedure code"), max_length=40, db_index=True,
        help_text=_("As in the national procedure database, e.g. 1.001193."),
        validators=[RegexValidator(r"^[0-9A-Za-z.\-_]+$", _("Use digits, letters, dots, hyphens and underscores only."))],
    )
    field = models.ForeignKey(
        Field, verbose_name=_("field"), on_delete=models.PROTECT, related_name="procedures",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("implementing agency"), on_delete=models.PROTECT, related_name="procedures",
    )
    co_agencies = ParentalManyToManyField(
        Agency, verbose_name=_("co-handling agencies"), blank=True, related_name="co_handled_procedures",
    )
    tier = models.CharField(_("tier"), max_length=16, choices=ProcedureTier.choices)
    level = models.PositiveSmallIntegerField(
        _("online service level"), choices=ServiceLevel.choices, default=ServiceLevel.LEVEL_2,
        help_text=_("Levels 1–4 of Decree 43/2011; the Decree 42/2022 kind is derived from it."),
    )
    processing_time = models.DecimalField(
        _("processing time"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))],
    )
    processing_unit = models.CharField(
        _("unit of processing time"), max_length=16, choices=ProcessingUnit.choices,
        default=ProcessingUnit.WORKING_DAYS,
    )
    fee_vnd = models.PositiveBigIntegerField(
        _("fee and charge (VND)"), null=True, blank=True, help_text=_("Leave empty when there is no fee."),
    )
    fee_note = models.TextField(_("note on fees"), blank=True)
    applicants = models.TextField(_("who may apply"), blank=True, help_text=_("One kind of applicant per line."))
    steps = models.TextField(_("steps"), blank=True, help_text=_("One step per line, in order."))
    submission_methods = ChoiceListField(
        _("how to submit"), choice_class=SubmissionMethod, help_text=_("Every way an applicant may submit the dossier."),
    )
    submission_note = models.TextField(
        _("where and when to submit"), blank=True, help_text=_("Address, opening hours or the online address."),
    )
    result = models.TextField(_("result"), blank=True, help_text=_("What the applicant receives; one per line."))
    requirements = models.TextField(
        _("requirements and conditions"), blank=True, help_text=_("One requirement per line; leave empty if none."),
    )
    legal_basis = ParentalManyToManyField(
        LegalDocumentPage, verbose_name=_("legal basis"), blank=True, related_name="based_procedure_pages",
    )
    usage_count = models.PositiveIntegerField(
        _("times used"), default=0, editable=False,
        help_text=_("How many dossiers were submitted for it; the catalogue sorts by it."),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("code"), FieldPanel("field"), FieldPanel("agency"), FieldPanel("co_agencies"),
             FieldPanel("tier"), FieldPanel("level")],
            heading=_("Identification"),
        ),
        MultiFieldPanel(
            [FieldPanel("processing_time"), FieldPanel("processing_unit"), FieldPanel("fee_vnd"),
             FieldPanel("fee_note")],
            heading=_("Time and fees"),
        ),
        FieldPanel("applicants"),
        FieldPanel("steps"),
        InlinePanel("components", heading=_("Dossier components"), label=_("Component")),
        MultiFieldPanel([FieldPanel("submission_methods"), FieldPanel("submission_note")], heading=_("How to submit")),
        FieldPanel("result"),
        FieldPanel("requirements"),
        FieldPanel("legal_basis", widget=forms.CheckboxSelectMultiple),
    ]
    search_fields = folded_search_fields([
        # the later title entry replaces Page's (modelsearch keeps the last)
        *Page.search_fields,
        index.SearchField("title", boost=4),
        index.SearchField("code", boost=5),
        index.AutocompleteField("code"),
        index.FilterField("code"),
        index.FilterField("field"),
        index.FilterField("agency"),
        index.FilterField("tier"),
        index.FilterField("level"),
        index.FilterField("usage_count"),
        index.SearchField("applicants"),
        index.SearchField("steps"),
        index.SearchField("result"),
        index.SearchField("requirements"),
        index.SearchField("fee_note"),
        index.RelatedFields("field", [index.SearchField("name")]),
        index.RelatedFields("agency", [index.SearchField("name")]),
        index.RelatedFields("components", [index.SearchField("name")]),
    ])
    # Identity, numbers and links are the same in every language; only the
    # texts are translated (wagtail-localize).
    override_translatable_fields = [
        SynchronizedField("code", overridable=False),
        SynchronizedField("field", overridable=False),
        SynchronizedField("agency", overridable=False),
        SynchronizedField("co_agencies", overridable=False),
        SynchronizedField("tier", overridable=False),
        SynchronizedField("level", overridable=False),
        SynchronizedField("processing_time", overridable=False),
        SynchronizedField("processing_unit", overridable=False),
        SynchronizedField("fee_vnd", overridable=False),
        SynchronizedField("submission_methods", overridable=False),
        SynchronizedField("legal_basis", overridable=False),
    ]
    parent_page_types = ["procedures.ProcedureIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def clean(self):
        super().clean()
        if self.code:
            clashes = ProcedurePage.objects.filter(code=self.code, locale_id=self.locale_id)
            if self.pk:
                clashes = clashes.exclude(pk=self.pk)
            if clashes.exists():
                raise ValidationError({"code": _("Another procedure in this language already has this code.")})

    # ------------------------------------------------------------ derived values
    @property
    def service_kind(self) -> str | None:
        """The Decree 42/2022 kind: None for levels 1–2 (not an online
        service), "partial" for 3, "full" for 4."""
        return {3: ServiceKind.PARTIAL.value, 4: ServiceKind.FULL.value}.get(self.level)

    @property
    def service_kind_label(self) -> str:
        kind = self.service_kind
        return ServiceKind(kind).label if kind else _("Not an online public service")

    @property
    def level_label(self) -> str:
        return _("Level %(level)s") % {"level": self.level}

    @property
    def processing_time_display(self) -> str:
        amount = self.processing_time.normalize() if self.processing_time is not None else ""
        amount = format(amount, "f") if amount != "" else ""
        return f"{amount} {self.get_processing_unit_display()}".strip()

    @property
    def fee_display(self) -> str:
        """The fee as a reader expects it: "50.000 đồng", "Free of charge", or
        empty when no amount is set (the note then says it all)."""
        if self.fee_vnd is None:
            return ""
        if self.fee_vnd == 0:
            return str(_("Free of charge"))
        # Django's vi formats set no NUMBER_GROUPING, so group by thousands here.
        amount = f"{self.fee_vnd:,}".replace(",", get_format("THOUSAND_SEPARATOR"))
        return str(_("%(amount)s VND") % {"amount": amount})

    def submission_method_labels(self) -> list[str]:
        labels = dict(SubmissionMethod.choices)
        return [labels[m] for m in self.submission_methods or [] if m in labels]

    def applicant_list(self) -> list[str]:
        return split_lines(self.applicants)

    def step_list(self) -> list[str]:
        return split_lines(self.steps)

    def result_list(self) -> list[str]:
        return split_lines(self.result)

    def requirement_list(self) -> list[str]:
        return split_lines(self.requirements)

    def localized_field(self) -> Field:
        return self.field.localized

    def localized_agency(self) -> Agency:
        return self.agency.localized

    def localized_co_agencies(self) -> list[Agency]:
        return [a.localized for a in self.co_agencies.all()]

    def localized_legal_basis(self) -> list[LegalDocumentPage]:
        """The legal documents in this page's language where translated."""
        docs = []
        for doc in self.legal_basis.live().order_by("signed_date"):
            translated = doc.get_translation_or_none(self.locale)
            docs.append((translated if translated is not None and translated.live else doc).specific)
        return docs

    def permalink(self) -> str:
        """`/p/<code>/` in the current language (DESIGN.md, "Public URLs")."""
        return reverse("procedure_permalink", kwargs={"code": self.code})

    def record_use(self) -> None:
        """Count one more use (a submitted dossier) on every translation, so
        "most used" sorts the same in every language."""
        ProcedurePage.objects.filter(translation_key=self.translation_key).update(usage_count=F("usage_count") + 1)

    def catalogue(self) -> ProcedureIndexPage | None:
        parent = self.get_parent()
        return parent.specific if parent and isinstance(parent.specific, ProcedureIndexPage) else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        catalogue = self.catalogue()
        field, agency = self.localized_field(), self.localized_agency()
        context.update({
            "catalogue": catalogue,
            "field": field,
            "field_link": catalogue.field_url(field) if catalogue else "",
            "agency": agency,
            "agency_link": catalogue.agency_url(agency) if catalogue else "",
            "co_agencies": [
                {"agency": co, "link": catalogue.agency_url(co) if catalogue else ""}
                for co in self.localized_co_agencies()
            ],
            "components": list(self.components.select_related("form_template").all()),
            "legal_documents": self.localized_legal_basis(),
            "permalink_url": request.build_absolute_uri(self.permalink()),
        })
        return context


class ProcedureComponent(TranslatableMixin, Orderable):
    """One document of the dossier (thành phần hồ sơ), with how many copies
    and in what form, and optionally its form template to download."""

    page = ParentalKey(ProcedurePage, on_delete=models.CASCADE, related_name="components")
    name = models.TextField(_("document"))
    copies = models.PositiveSmallIntegerField(_("number of copies"), default=1)
    kind = models.CharField(
        _("original or copy"), max_length=20, choices=ComponentKind.choices, default=ComponentKind.ORIGINAL,
    )
    form_template = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("form template"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("The blank form to download, if there is one."),
    )

    panels = [FieldPanel("name"), FieldPanel("copies"), FieldPanel("kind"), FieldPanel("form_template")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")

    def __str__(self) -> str:
        return self.name


# The working-day calendar (engineer D) lives in its own module.
from .calendar import *  # noqa: E402, F403
