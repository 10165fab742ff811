"""The procedure catalogue's pages: the index (with its facets and its
per-agency and per-field sub-pages) and one page per procedure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from core import pages as page_cache
from core.disclosure import DisclosureSectionMixin
from core.pages import CachedViewRestrictionsMixin
from core.search_fields import folded_search_fields

from ..catalogue import ProcedureFilter
from .agencies import Agency, Field
from .choices import (
    PROCEDURE_TIER_CHOICES,
    ComponentKind,
    FeeDue,
    ProcessingUnit,
    ResultMethod,
    ServiceKind,
    ServiceLevel,
    SubmissionMethod,
)
from .fee_rules import check_fees, format_vnd
from .fields import ChoiceListField, split_lines

if TYPE_CHECKING:
    from .documents import LegalDocumentPage


class ProcedureIndexPage(CachedViewRestrictionsMixin, RoutablePageMixin, DisclosureSectionMixin, Page):
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
        return page_cache.public(ProcedurePage.objects.live()).descendant_of(self)

    def _catalogue(self, request, *, agency=None, field=None, template_context=None):
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
        prefix = prefix_en if page_cache.language_of(self) == "en" else prefix_vi
        return f"{self.url}{prefix}/{value}/"

    def agency_url(self, agency: Agency | str) -> str:
        """The catalogue page of one agency (or unit code), in this index's language."""
        return self._sub_url("co-quan", "agency", getattr(agency, "unit_code", agency).replace(".", "_"))

    def field_url(self, field: Field | str) -> str:
        """The catalogue page of one field (or field code), in this index's language."""
        return self._sub_url("linh-vuc", "field", getattr(field, "code", field))


class ProcedurePageForm(WagtailAdminPageForm):
    """The procedure editor's form. Django cleans the page (`ProcedurePage.clean`)
    before the inline formsets are applied to it, so this hands the fee
    items being edited to the page first: the fee rules then judge what the
    editor is about to save, not what was saved before."""

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("fees")
        if formset is not None:
            formset.is_valid()  # cleans each item form once (the result is cached)
            amounts = []
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None) or {}
                if data.get("DELETE") or data.get("amount_vnd") is None:
                    continue
                amounts.append(data["amount_vnd"])
            self.instance.fee_amounts_in_form = amounts
        return cleaned


class ProcedurePage(CachedViewRestrictionsMixin, Page):
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
    tier = models.CharField(_("tier"), max_length=16, choices=PROCEDURE_TIER_CHOICES)
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
        _("fee and charge (VND)"), null=True, blank=True,
        help_text=_("Leave empty when there is no fee. With fee items below, leave it empty to use their total."),
    )
    fee_note = models.TextField(_("note on fees"), blank=True)
    online_payment = models.BooleanField(
        _("fees can be paid online"), default=False,
        help_text=_("The applicant pays the fee items through the portal's payment providers."),
    )
    result_methods = ChoiceListField(
        _("how the result can be received"), choice_class=ResultMethod,
        help_text=_("The applicant chooses one of these when applying; level 4 needs online or by post."),
    )
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
        "procedures.LegalDocumentPage", verbose_name=_("legal basis"), blank=True, related_name="based_procedure_pages",
    )
    online_target_year = models.PositiveSmallIntegerField(
        _("planned year for online provision"), null=True, blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The year the roadmap plans this procedure as an online service (level 3 or 4); "
                    "leave empty if none is planned."),
    )
    usage_count = models.PositiveIntegerField(
        _("times used"), default=0, editable=False,
        help_text=_("How many dossiers were submitted for it; the catalogue sorts by it."),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("code"), FieldPanel("field"), FieldPanel("agency"), FieldPanel("co_agencies"),
             FieldPanel("tier"), FieldPanel("level"), FieldPanel("online_target_year")],
            heading=_("Identification"),
        ),
        MultiFieldPanel(
            [FieldPanel("processing_time"), FieldPanel("processing_unit"), FieldPanel("fee_vnd"),
             FieldPanel("fee_note"),
             InlinePanel("fees", heading=_("Fee items"), label=_("Fee item"),
                         help_text=_("Each fee or charge with its amount, who pays it and when: at submission "
                                     "(paid online right after submitting at level 4) or on the agency's fee "
                                     "notice during processing.")),
             FieldPanel("online_payment")],
            heading=_("Time and fees"),
        ),
        FieldPanel("applicants"),
        FieldPanel("steps"),
        InlinePanel("components", heading=_("Dossier components"), label=_("Component")),
        MultiFieldPanel([FieldPanel("submission_methods"), FieldPanel("submission_note")], heading=_("How to submit")),
        MultiFieldPanel([FieldPanel("result"), FieldPanel("result_methods")], heading=_("Result")),
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
        SynchronizedField("online_target_year", overridable=False),
        SynchronizedField("processing_time", overridable=False),
        SynchronizedField("processing_unit", overridable=False),
        SynchronizedField("fee_vnd", overridable=False),
        SynchronizedField("online_payment", overridable=False),
        SynchronizedField("result_methods", overridable=False),
        SynchronizedField("submission_methods", overridable=False),
        SynchronizedField("legal_basis", overridable=False),
    ]
    parent_page_types = ["procedures.ProcedureIndexPage"]
    subpage_types: list[str] = []
    base_form_class = ProcedurePageForm

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
        # The fee and level-4 rules (fee_rules), on the items being edited
        # when the editor's form handed them over, else on the stored ones.
        amounts = getattr(self, "fee_amounts_in_form", None)
        if amounts is None:
            amounts = [fee.amount_vnd for fee in self.fees.all()]
        check = check_fees(level=self.level, fee_vnd=self.fee_vnd, item_amounts=amounts,
                           online_payment=self.online_payment, result_methods=self.result_methods)
        if check.errors:
            raise ValidationError(check.errors)
        self.fee_vnd = check.fee_vnd

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
        return format_vnd(self.fee_vnd)

    def fee_items(self) -> list[ProcedureFee]:
        """The fee items in their order (the page's table of fees)."""
        return self._from_shown("fees", lambda: list(self.fees.all()))

    def fee_items_total(self) -> int:
        return sum(fee.amount_vnd for fee in self.fee_items())

    def fee_items_total_display(self) -> str:
        """The items' total as "58.000 đồng", or empty when it is 0."""
        total = self.fee_items_total()
        return format_vnd(total) if total else ""

    def result_delivery_methods(self) -> list[str]:
        """How the applicant may receive the result, in a fixed order (at the
        office, by post, online): `result_methods`, or only at the office
        when none is set (older data)."""
        chosen = set(self.result_methods or ())
        methods = [m for m in ResultMethod.values if m in chosen]
        return methods or [ResultMethod.OFFICE.value]

    def result_method_labels(self) -> list[str]:
        labels = dict(ResultMethod.choices)
        return [str(labels[m]) for m in self.result_delivery_methods()]

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
        return self._from_shown("field", lambda: page_cache.localized(self.field))

    def localized_agency(self) -> Agency:
        return self._from_shown("agency", lambda: page_cache.localized(self.agency))

    def localized_co_agencies(self) -> list[Agency]:
        return [item["agency"] for item in self.shown.co_agencies]

    def localized_legal_basis(self) -> list[LegalDocumentPage]:
        """The legal documents in this page's language where translated."""
        return self.shown.legal_documents

    def _from_shown(self, name: str, read):
        """One part of `shown` when it is loaded, else read on its own."""
        shown = self.__dict__.get("shown")
        return getattr(shown, name) if shown is not None else read()

    # ------------------------------------------------------------ what the page shows

    def build_shown(self) -> ProcedureShown:
        """Read what the page shows from other tables, in the active
        language: the field and agencies (translated where they are), the
        catalogue's links, the dossier components with their templates, the
        fee items and the legal documents."""
        from .documents import LegalDocumentPage

        catalogue = self.catalogue()
        field, agency = self.localized_field(), self.localized_agency()
        co_agencies = [page_cache.localized(a) for a in self.co_agencies.all()]
        # the documents cited, each in this page's language where translated and live
        # (sorted here: a preview's relations are in memory, without `live()`)
        cited = sorted((doc for doc in self.legal_basis.all() if doc.live), key=lambda doc: doc.signed_date)
        translated = {
            doc.translation_key: doc
            for doc in LegalDocumentPage.objects.live().filter(
                locale_id=self.locale_id, translation_key__in=[d.translation_key for d in cited]
            ).exclude(pk__in=[d.pk for d in cited])
        }
        components = list(self.components.select_related("form_template").all())
        for component in components:
            if component.form_template is not None:
                component.form_template.get_file_size()  # measured once, kept with the rest
        return ProcedureShown(
            field=field,
            agency=agency,
            field_link=catalogue.field_url(field) if catalogue else "",
            agency_link=catalogue.agency_url(agency) if catalogue else "",
            co_agencies=[{"agency": co, "link": catalogue.agency_url(co) if catalogue else ""} for co in co_agencies],
            components=components,
            fees=self.fee_items(),
            legal_documents=[translated.get(doc.translation_key, doc) for doc in cited],
        )

    @cached_property
    def shown(self) -> ProcedureShown:
        """What the page shows from other tables (`build_shown`), read once per instance."""
        return self.build_shown()

    def load_shown(self, request) -> ProcedureShown:
        """`shown` for serving `request`: from the content cache
        (`core.pages`, refreshed by any publish and by changes to agencies,
        fields and documents) for the live page, read afresh for a preview,
        whose components and fees are the draft's."""
        if self.live and self.pk and not getattr(request, "is_preview", False):
            key = f"procedure.{self.pk}.{self.live_revision_id}.{translation.get_language()}"
            self.shown = page_cache.cached(key, self.build_shown)
        return self.shown

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
        shown = self.load_shown(request)
        context.update({
            "field": shown.field,
            "field_link": shown.field_link,
            "agency": shown.agency,
            "agency_link": shown.agency_link,
            "co_agencies": shown.co_agencies,
            "components": shown.components,
            "legal_documents": shown.legal_documents,
            "permalink_url": request.build_absolute_uri(self.permalink()),
        })
        return context


@dataclass
class ProcedureShown:
    """What a procedure page shows from other tables (`ProcedurePage.build_shown`)."""

    field: Field
    agency: Agency
    field_link: str
    agency_link: str
    co_agencies: list[dict]
    components: list[ProcedureComponent]
    fees: list[ProcedureFee]
    legal_documents: list[LegalDocumentPage]


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


class ProcedureFee(TranslatableMixin, Orderable):
    """One fee or charge of a procedure (phí, lệ phí): what it is, how much,
    who pays it, when it is owed and who is exempt. Items owed at submission
    are what a level-4 applicant pays online right after submitting; the
    others go on the fee notice the agency issues during processing."""

    page = ParentalKey(ProcedurePage, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("fee or charge"), max_length=255)
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    payer = models.CharField(
        _("who pays"), max_length=255, blank=True, help_text=_("Leave empty when the applicant pays."),
    )
    due = models.CharField(_("when it is owed"), max_length=16, choices=FeeDue.choices, default=FeeDue.SUBMISSION)
    exemptions = models.TextField(_("exemptions and reductions"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("amount_vnd"), FieldPanel("payer"), FieldPanel("due"),
              FieldPanel("exemptions")]
    # The amount and when it is owed are the same in every language; the
    # words (name, payer, exemptions) are translated (wagtail-localize).
    override_translatable_fields = [
        SynchronizedField("amount_vnd", overridable=False),
        SynchronizedField("due", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount_vnd}"

    @property
    def amount_display(self) -> str:
        """"8.000 đồng", or "Free of charge" for 0, as `fee_display` writes them."""
        return str(_("Free of charge")) if self.amount_vnd == 0 else format_vnd(self.amount_vnd)

    @property
    def payer_display(self) -> str:
        return self.payer or str(_("The applicant"))
