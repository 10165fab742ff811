from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site
from wagtail.search import index

from core.disclosure import DisclosureSectionMixin
from core.pages import CachedViewRestrictionsMixin, SiteRootPageMixin
from core.search_fields import folded_search_fields

from .blocks import ContentBlock


class HomePage(SiteRootPageMixin, CachedViewRestrictionsMixin, Page):
    intro = models.CharField(_("introduction"), max_length=255, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count_per_parent = 1
    subpage_types = [
        "home.StandardPage",
        "home.NewsIndexPage",
        # procedure catalogue and legal documents (procedures app)
        "procedures.ProcedureIndexPage",
        "procedures.LegalDocumentIndexPage",
        # the folder of e-forms (eforms app)
        "eforms.EFormIndexPage",
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from .frame import latest_news

        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = latest_news(self.locale_id)
        # the catalogue's sections come from procedures' template tag
        # `procedure_sections` (home_page.html): home does not import procedures
        return context


class StandardPage(CachedViewRestrictionsMixin, DisclosureSectionMixin, Page):
    """Introduction, guidance, contact and every other page of plain content."""

    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(ContentBlock(), verbose_name=_("body"), blank=True)

    search_fields = folded_search_fields([*Page.search_fields, index.SearchField("summary"), index.SearchField("body")])
    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, *DisclosureSectionMixin.disclosure_panels]
    subpage_types = ["home.StandardPage", "home.NewsIndexPage"]

    class Meta:
        verbose_name = _("content page")


class NewsIndexPage(CachedViewRestrictionsMixin, DisclosureSectionMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = [*Page.promote_panels, *DisclosureSectionMixin.disclosure_panels]
    subpage_types = ["home.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.live().public().child_of(self).order_by("-date", "-first_published_at")
        context["page_obj"] = Paginator(news, 10).get_page(request.GET.get("page"))
        return context


class NewsPage(CachedViewRestrictionsMixin, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(ContentBlock(), verbose_name=_("body"), blank=True)

    search_fields = folded_search_fields([*Page.search_fields, index.SearchField("summary"), index.SearchField("body")])
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("date"), FieldPanel("summary")], heading=_("About")),
        FieldPanel("body"),
    ]
    parent_page_types = ["home.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news article")


@register_setting(icon="site")
class PortalSettings(BaseGenericSetting):
    """Who runs the portal, shown in the header and footer.

    Names and address come in both languages because settings are not pages
    and wagtail-localize does not translate them.
    """

    portal_name = models.CharField(_("portal name (Vietnamese)"), max_length=120, default="Cổng dịch vụ công")
    portal_name_en = models.CharField(_("portal name (English)"), max_length=120, default="Public Services Portal")
    province_name = models.CharField(_("province (Vietnamese)"), max_length=120, default="Tỉnh Lâm Hà")
    province_name_en = models.CharField(_("province (English)"), max_length=120, default="Lam Ha Province")
    logo = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("logo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("address (Vietnamese)"), max_length=255, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    hotline = models.CharField(_("hotline"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    responsible = models.CharField(
        _("responsible for content (Vietnamese)"), max_length=255, blank=True,
    )
    responsible_en = models.CharField(_("responsible for content (English)"), max_length=255, blank=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("portal_name"), FieldPanel("portal_name_en"), FieldPanel("province_name"),
             FieldPanel("province_name_en"), FieldPanel("logo")],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("address_en"), FieldPanel("phone"), FieldPanel("hotline"),
             FieldPanel("email"), FieldPanel("responsible"), FieldPanel("responsible_en")],
            heading=_("Contact"),
        ),
    ]

    class Meta:
        verbose_name = _("portal settings")

    @classmethod
    def load(cls, request_or_site=None):
        """For a request (the header, the footer, the search engines' data
        of every page), a copy of the row kept in the content cache
        (`home.frame`); otherwise Wagtail's own loading."""
        if request_or_site is None or isinstance(request_or_site, Site):
            return super().load(request_or_site)
        from .frame import portal_settings

        return portal_settings()

    @classmethod
    def load_from_database(cls):
        """The row as Wagtail loads it (created on first use)."""
        return super().load()

    def _localized(self, name: str) -> str:
        if (get_language() or settings.LANGUAGE_CODE).startswith("en"):
            return getattr(self, f"{name}_en") or getattr(self, name)
        return getattr(self, name)

    @property
    def name(self) -> str:
        return self._localized("portal_name")

    @property
    def province(self) -> str:
        return self._localized("province_name")

    @property
    def localized_address(self) -> str:
        return self._localized("address")

    @property
    def localized_responsible(self) -> str:
        return self._localized("responsible")
