"""What the API takes and gives, as pydantic schemas (ninja `Schema`):
every input has its type, its limits and no unknown fields."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(max_length=2000)]
ShortText = Annotated[str, StringConstraints(max_length=100)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- problems


class FieldError(Schema):
    loc: list[str]
    type: str
    msg: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None


# ---------------------------------------------------------------- dossiers


class NamedCode(Schema):
    code: str
    name: str


class DossierSummary(Schema):
    code: str
    status: str
    status_label: str
    procedure: NamedCode
    agency: NamedCode
    channel: str
    applicant_name: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    updated_at: dt.datetime


class ChangesPage(Schema):
    items: list[DossierSummary]
    next_cursor: str = Field(description="Send it back as `cursor` to read on; keep it to resume later.")
    has_more: bool


class Applicant(Schema):
    full_name: str
    id_number: str
    date_of_birth: dt.date | None
    phone: str
    email: str
    address: str


class FormRow(Schema):
    label: str
    value: str


class FileOut(Schema):
    id: str
    name: str
    role: str
    field_name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    scan_status: str
    uploaded_at: dt.datetime
    download_url: str
    download_expires_at: dt.datetime


class DocumentOut(Schema):
    number: str
    form: str
    title: str
    issued_at: dt.datetime
    issued_by: str
    sha256: str
    download_url: str
    download_expires_at: dt.datetime


class EventOut(Schema):
    id: int
    at: dt.datetime
    action: str
    label: str
    internal: bool = Field(description="An internal step of the agency: never shown to the applicant.")
    actor_kind: str
    actor: str
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


class AcknowledgementOut(Schema):
    client: str
    at: dt.datetime
    reference: str


class Supplement(Schema):
    items: list[str]
    deadline: dt.date | None
    requested_at: dt.datetime | None


class DossierDetail(DossierSummary):
    language: str
    result_delivery: str
    delivery_address: str
    pickup_address: str
    expected_appointment_at: dt.datetime | None
    completed_at: dt.datetime | None
    returned_at: dt.datetime | None
    closed_at: dt.datetime | None
    handler: str
    co_handling_agency: NamedCode | None
    awaiting_approval: bool
    supplement: Supplement | None
    result: str
    applicant: Applicant
    form: list[FormRow]
    form_data: dict[str, Any]
    files: list[FileOut]
    documents: list[DocumentOut]
    history: list[EventOut]
    acknowledgements: list[AcknowledgementOut]
    allowed_actions: list[str]


class AcknowledgeIn(Input):
    reference: ShortText = Field("", description="The dossier's number in the client's own software.")


class ActionIn(Input):
    """What an action takes; each action accepts only its own fields
    (README, "API")."""

    note: Text | None = None
    reason: Text | None = None
    result: Text | None = None
    items: Annotated[list[Annotated[str, StringConstraints(max_length=500)]], Field(max_length=50)] | None = None
    deadline: dt.date | None = None
    appointment: dt.date | None = None
    assignee: Annotated[str, StringConstraints(max_length=254)] | None = Field(
        None, description="Email or user name of a handler or leader of the agency.")
    co_agency: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        None, description="Unit code of the co-handling agency.")
    files: Annotated[list[Annotated[str, StringConstraints(max_length=36)]], Field(max_length=30)] | None = Field(
        None, description="Ids of files uploaded to /files for this dossier.")
    handover_method: Literal["desk", "post", "online"] | None = None
    courier: ShortText | None = None
    tracking_number: ShortText | None = None
    at: dt.datetime | None = Field(None, description="When it happened in the client's software (not in the future).")


class ActionOut(Schema):
    event: EventOut
    dossier: DossierSummary
    documents: list[DocumentOut]


class UploadOut(Schema):
    id: str
    name: str
    kind: str
    size: int
    sha256: str
    purpose: str


# ---------------------------------------------------------------- open data


class FieldOut(Schema):
    code: str
    name: str
    description: str


class AgencyOut(Schema):
    unit_code: str
    name: str
    short_name: str
    tier: str
    parent: str | None
    address: str
    phone: str
    email: str
    website: str


class FeeOut(Schema):
    name: str
    amount_vnd: int
    payer: str
    due: str
    exemptions: str


class ComponentOut(Schema):
    name: str
    copies: int
    kind: str
    form_template_url: str | None


class ProcedureOut(Schema):
    code: str
    title: str
    url: str
    field: NamedCode
    agency: NamedCode
    co_agencies: list[NamedCode]
    tier: str
    level: int
    service_kind: str | None
    processing_time: str
    processing_unit: str
    fee_vnd: int | None
    fee_note: str
    fees: list[FeeOut]
    online_payment: bool
    submission_methods: list[str]
    result_methods: list[str]
    components: list[ComponentOut]


class ProcedurePage(Schema):
    items: list[ProcedureOut]
    page: int
    page_size: int
    total: int
    next: str | None
    previous: str | None


class LookupByCode(Input):
    way: Literal["code"]
    code: Annotated[str, StringConstraints(max_length=64)]
    secret: Annotated[str, StringConstraints(max_length=20)] = Field(
        description="The applicant's ID number or phone number.")


class LookupByPerson(Input):
    way: Literal["person"]
    id_number: Annotated[str, StringConstraints(max_length=12)]
    full_name: Annotated[str, StringConstraints(max_length=255)]
    date_of_birth: Annotated[str, StringConstraints(max_length=10)] = Field(description="YYYY-MM-DD or DD/MM/YYYY")


class PublicStep(Schema):
    status: str
    at: dt.datetime


class PublicDossier(Schema):
    code: str
    procedure: str
    agency: str
    status: str
    status_code: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    appointment: dt.date | None
    appointment_expected: bool
    completed_at: dt.datetime | None
    returned_at: dt.datetime | None
    supplement_deadline: dt.date | None
    history: list[PublicStep]


class LookupOut(Schema):
    results: list[PublicDossier]
