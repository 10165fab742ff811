"""Fee notices through the API: issue one for a dossier of the client's
agency (`POST /dossiers/{code}/fee-notices`, idempotent) and list them
with their payments (`GET`). The rules are the back office's
(`payments.staff`): a procedure paid online, a dossier the agency holds
(received, processing, awaiting a supplement, completed), at least one
item with an amount, the total within one payment's limit. The notice is
issued by `payments.services.issue_fee_notice` as the API client, which
tells the applicant and writes the dossier's `fee_notice` step (and so the
`fee_notice.issued` webhook)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import Field, StringConstraints, field_validator

from eforms.models import Dossier
from payments import services as payments
from payments.forms import MAX_AMOUNT_VND
from payments.models import FeeNotice
from payments.staff import NOTICE_STATUSES

from . import idempotency
from .auth import READ, WRITE
from .dossiers import CODE, actor, dossier_of, json_response
from .problems import Problem
from .schemas import Input, Schema

router = Router(tags=["fees"])


class FeeItemIn(Input):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    amount_vnd: int = Field(..., strict=True, ge=1, le=MAX_AMOUNT_VND,
                            description="A whole amount in đồng (a JSON integer).")
    payer: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] = ""
    exemptions: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class FeeNoticeIn(Input):
    items: list[FeeItemIn] = Field(..., min_length=1, max_length=30)
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""

    @field_validator("items")
    @classmethod
    def total_within_limit(cls, items):
        if sum(item.amount_vnd for item in items) > MAX_AMOUNT_VND:
            raise ValueError("the total is too large for one payment")
        return items


class FeeItemOut(Schema):
    name: str
    amount_vnd: int
    payer: str
    exemptions: str


class PaymentOut(Schema):
    id: str
    state: str
    state_label: str
    provider: str
    amount_vnd: int
    created_at: dt.datetime
    paid_at: dt.datetime | None
    refunded_vnd: int


class FeeNoticeOut(Schema):
    id: str
    number: str
    kind: str
    total_vnd: int
    note: str
    issued_at: dt.datetime
    issued_by: str
    paid_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    open: bool
    items: list[FeeItemOut]
    payments: list[PaymentOut]


class FeeNoticeList(Schema):
    items: list[FeeNoticeOut]


def notice_out(notice: FeeNotice) -> dict:
    return {
        "id": str(notice.public_id), "number": notice.number, "kind": notice.kind, "total_vnd": notice.total_vnd,
        "note": notice.note, "issued_at": notice.issued_at, "issued_by": notice.issued_by_label,
        "paid_at": notice.paid_at, "cancelled_at": notice.cancelled_at, "open": notice.is_open,
        "items": [{"name": i.name, "amount_vnd": i.amount_vnd, "payer": i.payer, "exemptions": i.exemptions}
                  for i in notice.items.all()],
        "payments": [{"id": str(p.public_id), "state": p.state, "state_label": str(p.get_state_display()),
                      "provider": p.provider, "amount_vnd": p.amount_vnd, "created_at": p.created_at,
                      "paid_at": p.paid_at, "refunded_vnd": p.refunded_vnd}
                     for p in sorted(notice.payments.all(), key=lambda p: (p.created_at, p.pk))],
    }


def _refused(message: str) -> Problem:
    return Problem(409, _("Fee notice refused"), message, kind="fee-notice-refused")


@router.get("/dossiers/{code}/fee-notices", response=FeeNoticeList, auth=READ, url_name="api_dossier_fee_notices",
            summary="The dossier's fee notices and their payments")
def list_notices(request, code: str = CODE):
    dossier = dossier_of(request.auth, code)
    notices = dossier.fee_notices.prefetch_related("items", "payments").order_by("issued_at", "pk")
    return {"items": [notice_out(n) for n in notices]}


@router.post("/dossiers/{code}/fee-notices", response={201: FeeNoticeOut}, auth=WRITE,
             url_name="api_dossier_fee_notice_issue", summary="Issue a fee notice, as the agency's staff would")
def issue_notice(request, body: FeeNoticeIn, code: str = CODE):
    """The applicant is told, as when staff issue it. Refused (409,
    `fee-notice-refused`) for a procedure not paid online or a dossier the
    agency does not hold."""
    client = request.auth

    def work():
        dossier = dossier_of(client, code)
        if not dossier.procedure.online_payment:
            raise _refused(_("Procedure %(code)s is not paid online: its fees are not noticed through the portal.")
                           % {"code": dossier.procedure.code})
        lines = [payments.FeeLine(name=i.name, amount_vnd=i.amount_vnd, payer=i.payer, exemptions=i.exemptions)
                 for i in body.items]
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().select_related("procedure").get(pk=dossier.pk)
            if locked.status not in NOTICE_STATUSES:
                raise _refused(_("Dossier %(code)s is “%(status)s”: a fee notice is issued while the agency holds "
                                 "the dossier.") % {"code": locked.code, "status": locked.status_label})
            notice = payments.issue_fee_notice(locked, lines, actor(client), note=body.note)
        notice = FeeNotice.objects.prefetch_related("items", "payments").get(pk=notice.pk)
        return json_response(request, FeeNoticeOut, notice_out(notice), status=201)

    return idempotency.run(request, client, work)
