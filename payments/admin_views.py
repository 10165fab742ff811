"""The payments screens of the Wagtail admin, under /admin/payments/
(namespace "payments_admin", registered in `payments.wagtail_hooks`):

* the list of payments, filtered by provider, state, day and dossier code;
* a payment: its fee notice, every notification received (raw), the audit
  trail, and its e-receipt;
* the daily reconciliation per provider (ask the provider, or upload its
  statement), each run kept and exported as CSV or XLSX.

Every view starts from `payment_scope.visible_payments(user)`: staff of
another agency get 404 for a payment, and a reconciliation holds only the
payments its author could see. Reconciling needs the permission
`payments.reconcile_payment` (or a superuser); a reconciliation is read and
exported by its author and superusers only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from core.client import client_ip

from . import reconciliation as rec
from .models import PaymentReceipt, PaymentState, Reconciliation, ReconciliationMode
from .payment_scope import has_payment_scope, may_reconcile, visible_payments
from .receipts import ReceiptError, ensure_receipt, format_vnd, receipt_response

NAMESPACE = "payments_admin"
PAGE_SIZE = 50
RECEIPT_LOG_ACTION = "payments.receipt_download"
RECONCILE_LOG_ACTION = "payments.reconcile"
EXPORT_LOG_ACTION = "payments.export_reconciliation"
MENU_LABEL = gettext_lazy("Payments")


def dossier_screen_url(dossier) -> str:
    """The back office's dossier screen, by its URL name (no import of the
    higher app); empty in a build without it."""
    try:
        return reverse("backoffice:dossier", args=[dossier.pk])
    except NoReverseMatch:
        return ""


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


class PaymentsMixin(WagtailAdminTemplateMixin):
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not has_payment_scope(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def crumbs(self, *items):
        return [*self.breadcrumbs_items, {"url": reverse(f"{NAMESPACE}:index"), "label": MENU_LABEL}, *items]

    def get_breadcrumbs_items(self):
        return self.crumbs({"url": "", "label": self.get_page_title()})


# ---------------------------------------------------------------- the list


class PaymentFilterForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("Provider"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("All")),
                                       *((value, rec.THEIR_STATES[value]) for value in PaymentState.values)])
    day = forms.DateField(label=gettext_lazy("Day"), required=False,
                          help_text=gettext_lazy("Started or paid on this day."),
                          widget=forms.DateInput(attrs={"type": "date"}),
                          input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    dossier = forms.CharField(label=gettext_lazy("Dossier code"), required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("All")), *rec.provider_choices()]


class PaymentIndexView(PaymentsMixin, TemplateView):
    template_name = "payments/admin/index.html"
    page_title = gettext_lazy("Payments")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def filtered(self, form):
        payments = visible_payments(self.request.user).select_related("dossier", "notice")
        form.is_valid()  # invalid fields are reported and left out of the filter
        values = getattr(form, "cleaned_data", {})
        if values.get("provider"):
            payments = payments.filter(provider=values["provider"])
        if values.get("state"):
            payments = payments.filter(state=values["state"])
        if values.get("day"):
            start, end = rec.day_bounds(values["day"])
            payments = payments.filter(
                Q(created_at__gte=start, created_at__lt=end) | Q(paid_at__gte=start, paid_at__lt=end))
        if values.get("dossier"):
            payments = payments.filter(dossier__code__icontains=values["dossier"].strip())
        return payments.order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PaymentFilterForm(self.request.GET or None)
        payments = self.filtered(form) if self.request.GET else visible_payments(self.request.user).select_related(
            "dossier", "notice").order_by("-created_at", "-pk")
        page = Paginator(payments, PAGE_SIZE).get_page(self.request.GET.get("p"))
        query = QueryDict(mutable=True)
        query.update({k: v for k, v in self.request.GET.items() if k != "p"})
        context.update(
            form=form, page_obj=page, query=query.urlencode(), can_reconcile=may_reconcile(self.request.user),
            rows=[{"payment": p, "amount": format_vnd(p.amount_vnd), "provider": rec.provider_label(p.provider),
                   "state": rec.state_label(p.state),
                   "created": _local(p.created_at), "paid": _local(p.paid_at)} for p in page],
        )
        return context


# ---------------------------------------------------------------- one payment


class PaymentDetailView(PaymentsMixin, TemplateView):
    template_name = "payments/admin/detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not has_payment_scope(request.user):
            raise PermissionDenied
        self.payment = get_object_or_404(
            visible_payments(request.user).select_related("dossier", "dossier__agency", "dossier__procedure",
                                                          "notice"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Payment %(reference)s") % {"reference": self.payment.reference}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.payment
        receipt = PaymentReceipt.objects.filter(payment=payment).first()
        context.update(
            payment=payment, provider=rec.provider_label(payment.provider), amount=format_vnd(payment.amount_vnd),
            state=rec.state_label(payment.state),
            created=_local(payment.created_at), paid=_local(payment.paid_at), returned=_local(payment.returned_at),
            refunded=_local(payment.refunded_at), dossier_url=dossier_screen_url(payment.dossier),
            items=[{"item": i, "amount": format_vnd(i.amount_vnd)} for i in payment.notice.items.all()],
            notice_total=format_vnd(payment.notice.total_vnd),
            notifications=[{"n": n, "at": _local(n.received_at),
                            "raw": json.dumps(n.raw, ensure_ascii=False, indent=2, sort_keys=True)}
                           for n in payment.notifications.order_by("received_at", "pk")],
            events=[{"e": e, "at": _local(e.created_at), "from": rec.state_label(e.from_state),
                     "to": rec.state_label(e.to_state),
                     "data": json.dumps(e.data, ensure_ascii=False, sort_keys=True) if e.data else ""}
                    for e in payment.events.order_by("created_at", "pk")],
            receipt=receipt, receipt_issued=_local(receipt.issued_at) if receipt else "",
            can_make_receipt=receipt is None and payment.state == PaymentState.PAID,
        )
        return context


@require_safe
def receipt_download(request, pk: int):
    """The payment's e-receipt (made on the first request), for staff who
    may see the payment; written to the site history."""
    if not has_payment_scope(request.user):
        raise PermissionDenied
    payment = get_object_or_404(visible_payments(request.user), pk=pk)
    try:
        receipt = ensure_receipt(payment)
    except ReceiptError:
        raise Http404 from None
    log(instance=payment, action=RECEIPT_LOG_ACTION, user=request.user, title=receipt.number,
        data={"receipt": receipt.number, "sha256": receipt.sha256, "ip": client_ip(request)})
    return receipt_response(receipt)


# ---------------------------------------------------------------- reconciliation


class ReconcileForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("Provider"))
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}),
                          input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    mode = forms.ChoiceField(label=gettext_lazy("Compare with"), choices=ReconciliationMode.choices,
                             widget=forms.RadioSelect, initial=ReconciliationMode.QUERY)
    statement = forms.FileField(
        label=gettext_lazy("Statement (.csv or .xlsx)"), required=False,
        help_text=gettext_lazy("Only when comparing with a statement. Columns: reference, provider_reference, "
                               "amount_vnd, status, paid_at."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = rec.provider_choices()

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Choose today or a day before."))
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == ReconciliationMode.STATEMENT and not cleaned.get("statement"):
            self.add_error("statement", _("Choose the provider's statement to upload."))
        return cleaned


def visible_reconciliations(user):
    runs = Reconciliation.objects.all()
    return runs if user.is_superuser else runs.filter(created_by=user)


class ReconcileMixin(PaymentsMixin):
    def dispatch(self, request, *args, **kwargs):
        if not may_reconcile(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def reconcile_crumb(self):
        return {"url": reverse(f"{NAMESPACE}:reconcile"), "label": _("Reconciliation")}


class ReconcileView(ReconcileMixin, TemplateView):
    template_name = "payments/admin/reconcile.html"
    page_title = gettext_lazy("Reconciliation")

    def get_breadcrumbs_items(self):
        return self.crumbs({"url": "", "label": self.page_title})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ReconcileForm(initial={
            "day": timezone.localdate() - dt.timedelta(days=1), "mode": ReconciliationMode.QUERY}))
        runs = visible_reconciliations(self.request.user)[:20]
        context["runs"] = [{"run": r, "provider": rec.provider_label(r.provider), "at": _local(r.created_at)}
                           for r in runs]
        context["columns"] = ", ".join(rec.STATEMENT_COLUMNS)
        return context

    def post(self, request, *args, **kwargs):
        form = ReconcileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        c = form.cleaned_data
        user = request.user
        label = user.get_full_name() or user.get_username()
        payments = visible_payments(user)
        try:
            if c["mode"] == ReconciliationMode.QUERY:
                run = rec.reconcile_by_query(c["provider"], c["day"], payments, user=user, actor_label=label)
            else:
                upload = c["statement"]
                digest = hashlib.sha256()
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
                rows, problems = rec.read_statement(upload)
                run = rec.reconcile_statement(c["provider"], c["day"], rows, payments, user=user,
                                              actor_label=label, statement_name=upload.name,
                                              statement_sha256=digest.hexdigest(), problems=problems)
        except rec.StatementError as error:
            form.add_error("statement", str(error))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        except rec.ReconciliationError as error:
            form.add_error("provider", str(error))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        log(instance=run, action=RECONCILE_LOG_ACTION, user=user, title=str(run),
            data={"provider": run.provider, "day": run.day.isoformat(), "mode": run.mode,
                  "mismatches": run.mismatches, "statement_sha256": run.statement_sha256})
        if run.mismatches:
            messages.warning(request, _("Reconciliation done: %(count)d line(s) flagged.") % {"count": run.mismatches})
        else:
            messages.success(request, _("Reconciliation done: nothing flagged."))
        return redirect(f"{NAMESPACE}:reconciliation", pk=run.pk)


class ReconciliationView(ReconcileMixin, TemplateView):
    template_name = "payments/admin/reconciliation.html"

    def dispatch(self, request, *args, **kwargs):
        if not may_reconcile(request.user):
            raise PermissionDenied
        self.run = get_object_or_404(visible_reconciliations(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Reconciliation of %(provider)s on %(day)s") % {
            "provider": rec.provider_label(self.run.provider), "day": self.run.day.strftime("%d/%m/%Y")}

    def get_breadcrumbs_items(self):
        return self.crumbs(self.reconcile_crumb(), {"url": "", "label": self.get_page_title()})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.run
        visible = set(visible_payments(self.request.user).filter(
            pk__in=[line["payment"] for line in run.lines if line["payment"]]).values_list("pk", flat=True))
        lines = []
        for line in run.lines:
            shown = rec.display_line(line)
            shown["our_amount_text"] = format_vnd(line["our_amount"])
            shown["their_amount_text"] = format_vnd(line["their_amount"])
            shown["url"] = (reverse(f"{NAMESPACE}:detail", args=[line["payment"]])
                            if line["payment"] in visible else "")
            lines.append(shown)
        totals = [{"label": label, "value": format_vnd(run.totals.get(key, 0)) if key.endswith("_vnd")
                   else run.totals.get(key, 0)} for key, label in rec.TOTAL_LABELS]
        context.update(run=run, lines=lines, totals=totals, at=_local(run.created_at),
                       problems=run.totals.get("problems", []), others=run.totals.get("other_agencies", 0),
                       provider=rec.provider_label(run.provider))
        return context


@require_safe
def reconciliation_export(request, pk: int, fmt: str):
    if not may_reconcile(request.user):
        raise PermissionDenied
    run = get_object_or_404(visible_reconciliations(request.user), pk=pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    log(instance=run, action=EXPORT_LOG_ACTION, user=request.user, title=str(run),
        data={"format": fmt, "rows": len(run.lines)})
    return rec.export_csv(run) if fmt == "csv" else rec.export_xlsx(run)


# ---------------------------------------------------------------- URLs

urlpatterns = [
    path("", PaymentIndexView.as_view(), name="index"),
    path("<int:pk>/", PaymentDetailView.as_view(), name="detail"),
    path("<int:pk>/receipt.pdf", receipt_download, name="receipt"),
    path("reconciliation/", ReconcileView.as_view(), name="reconcile"),
    path("reconciliation/<int:pk>/", ReconciliationView.as_view(), name="reconciliation"),
    path("reconciliation/<int:pk>/export/<str:fmt>/", reconciliation_export, name="reconciliation_export"),
]


def admin_urls():
    return [path("payments/", include((urlpatterns, NAMESPACE), namespace=NAMESPACE))]
