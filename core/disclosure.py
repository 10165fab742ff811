"""The kinds of information Decree 43/2011/NĐ-CP, Article 10, requires a
government portal to publish (DESIGN.md, "Decree 43 disclosure"), and the
mixin that marks the page holding each kind. Shared by the content apps
(home's pages, procedures' catalogue and legal documents); the footer links
and the disclosure report (home) find the marked pages by this mixin."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


class DisclosureKind(models.TextChoices):
    INTRODUCTION = "introduction", _("Introduction")
    NEWS = "news", _("News and events")
    DIRECTION = "direction", _("Direction and administration")
    GUIDANCE = "law_guidance", _("Dissemination and guidance on laws and policies")
    STRATEGY = "strategy", _("Strategies, master plans and development plans")
    LEGAL_DOCUMENTS = "legal_documents", _("Legal documents")
    PROJECTS = "projects", _("Projects, investment, bidding and public procurement")
    EMAILS = "emails", _("Official email addresses")
    CONSULTATION = "consultation", _("Public comments on drafts")
    SCIENCE = "science", _("Science programmes and projects")
    ONLINE_SERVICES = "online_services", _("Online public services")


class DisclosureSectionMixin(models.Model):
    """Marks the page that is the home of one Decree 43 disclosure kind.

    The page and everything below it count as that kind's content in the
    disclosure report, and the footer links to it.
    """

    disclosure_kind = models.CharField(
        _("Decree 43 disclosure section"),
        max_length=32,
        choices=DisclosureKind.choices,
        blank=True,
        help_text=_("Set this on the page that holds one kind of information the portal must publish."),
    )

    disclosure_panels = [FieldPanel("disclosure_kind")]

    class Meta:
        abstract = True
