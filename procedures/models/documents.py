"""Legal documents (văn bản) and their index page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from core.disclosure import DisclosureSectionMixin
from core.pages import CachedViewRestrictionsMixin
from core.search_fields import folded_search_fields

from ..catalogue import LegalDocumentFilter
from .choices import LegalDocumentStatus, LegalDocumentType
from .pages import ProcedurePage


class LegalDocumentIndexPage(CachedViewRestrictionsMixin, DisclosureSectionMixin, Page):
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
        context = super().get_context(request, *args, **kwargs)
        context.update(LegalDocumentFilter(self.documents(), request.GET).context(per_page=self.per_page))
        return context


class LegalDocumentPage(CachedViewRestrictionsMixin, Page):
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
