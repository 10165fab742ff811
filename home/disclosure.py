"""The kinds of information Decree 43/2011/NĐ-CP, Article 10, requires a
government portal to publish (DESIGN.md, "Decree 43 disclosure")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
