"""Agencies, fields, procedures, legal documents and the working-day
calendar: the procedure catalogue. Other apps import these names from
`procedures.models`; the modules below are how the package is laid out."""

from .agencies import Agency, Field
from .calendar import CalendarDay
from .choices import (
    PROCEDURE_TIER_CHOICES,
    PROCEDURE_TIERS,
    ComponentKind,
    LegalDocumentStatus,
    LegalDocumentType,
    ProcessingUnit,
    ServiceKind,
    ServiceLevel,
    SubmissionMethod,
    Tier,
)
from .documents import LegalDocumentIndexPage, LegalDocumentPage
from .fields import ChoiceListField, split_lines
from .pages import ProcedureComponent, ProcedureIndexPage, ProcedurePage

__all__ = [
    "PROCEDURE_TIERS",
    "PROCEDURE_TIER_CHOICES",
    "Agency",
    "CalendarDay",
    "ChoiceListField",
    "ComponentKind",
    "Field",
    "LegalDocumentIndexPage",
    "LegalDocumentPage",
    "LegalDocumentStatus",
    "LegalDocumentType",
    "ProcedureComponent",
    "ProcedureIndexPage",
    "ProcedurePage",
    "ProcessingUnit",
    "ServiceKind",
    "ServiceLevel",
    "SubmissionMethod",
    "Tier",
    "split_lines",
]
