"""Agencies, fields, procedures, legal documents and the working-day
calendar: the procedure catalogue. Other apps import these names from
`procedures.models`; the modules below are how the package is laid out."""

from .agencies import Agency, Field
from .calendar import CalendarDay
from .choices import (
    PROCEDURE_TIER_CHOICES,
    PROCEDURE_TIERS,
    ComponentKind,
    FeeDue,
    LegalDocumentStatus,
    LegalDocumentType,
    ProcessingUnit,
    ResultMethod,
    ServiceKind,
    ServiceLevel,
    SubmissionMethod,
    Tier,
)
from .documents import LegalDocumentIndexPage, LegalDocumentPage
from .embed import EmbedOrigin
from .fee_rules import FeeCheck, check_fees, format_vnd
from .fields import ChoiceListField, split_lines
from .pages import ProcedureComponent, ProcedureFee, ProcedureIndexPage, ProcedurePage, ProcedurePageForm

__all__ = [
    "PROCEDURE_TIERS",
    "PROCEDURE_TIER_CHOICES",
    "Agency",
    "CalendarDay",
    "ChoiceListField",
    "ComponentKind",
    "FeeCheck",
    "FeeDue",
    "EmbedOrigin",
    "Field",
    "LegalDocumentIndexPage",
    "LegalDocumentPage",
    "LegalDocumentStatus",
    "LegalDocumentType",
    "ProcedureComponent",
    "ProcedureFee",
    "ProcedureIndexPage",
    "ProcedurePage",
    "ProcedurePageForm",
    "ProcessingUnit",
    "ResultMethod",
    "ServiceKind",
    "ServiceLevel",
    "SubmissionMethod",
    "Tier",
    "check_fees",
    "format_vnd",
    "split_lines",
]
