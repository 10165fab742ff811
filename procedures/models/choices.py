"""The choices the catalogue stores, shared by agencies, procedures and legal
documents (and read by the search and e-form apps)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """Level of government, for agencies and procedures. Districts were
    abolished on 1 July 2025; the tier stays only for old data (DESIGN.md).
    A procedure is settled by a province, district or commune, never by a
    department as such: its field offers `PROCEDURE_TIERS` only."""

    PROVINCE = "province", _("Province")
    DEPARTMENT = "department", _("Provincial department")
    DISTRICT = "district", _("District (before 2025)")
    COMMUNE = "commune", _("Commune")


#: The tiers that settle a procedure, in display order.
PROCEDURE_TIERS = (Tier.PROVINCE, Tier.DISTRICT, Tier.COMMUNE)
PROCEDURE_TIER_CHOICES = [(tier.value, tier.label) for tier in PROCEDURE_TIERS]


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


class ResultMethod(models.TextChoices):
    """How an agency can hand a procedure's result over (the applicant
    chooses one of those the procedure offers; eforms.ResultDelivery has the
    same values)."""

    OFFICE = "office", _("At the office")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class FeeDue(models.TextChoices):
    """When a fee item is owed."""

    SUBMISSION = "submission", _("When the dossier is submitted")
    NOTICE = "notice", _("When the agency issues a fee notice during processing")


class ComponentKind(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    ORIGINAL_OR_COPY = "original_or_copy", _("Original or certified copy")


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
