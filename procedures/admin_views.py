"""Wagtail admin screens for loading and exporting the procedure catalogue
and downloading the ministry's tables.

Import is two steps: the upload is checked and shown as a preview (what
will be created, updated, left unchanged and refused, with line numbers and
reasons) and kept in a private temporary folder under a one-time token; the
confirm step imports that same file. Nothing is written before the confirm.
"""

from __future__ import annotations

import io
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale

from . import exporting, ministry_tables
from .importing import (
    COLUMNS,
    REQUIRED,
    ImportContext,
    ImportFileError,
    apply_plan,
    default_parent,
    plan_import,
    read_table,
)
from .models import ProcedureIndexPage

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
TOKEN_TTL_SECONDS = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


STAGING = "procedure-imports"


def staging_storage():
    """Where uploads wait between preview and confirm: the private store
    (never public), shared by every app server, so the confirm may reach
    another machine than the preview did."""
    return storages["private"]


def purge_staged(now: float | None = None) -> None:
    """Forget the uploads whose preview expired unconfirmed."""
    storage = staging_storage()
    cutoff = (now or time.time()) - TOKEN_TTL_SECONDS
    try:
        names = storage.listdir(STAGING)[1]
    except FileNotFoundError:
        return
    for name in names:
        path = f"{STAGING}/{name}"
        try:
            if storage.get_modified_time(path).timestamp() < cutoff:
                storage.delete(path)
        except FileNotFoundError:
            continue  # another server purged it first


def catalogue_permissions(user):
    """Who may import (publish procedures under the catalogue) and who may
    export (edit them): Wagtail's page permissions on the catalogue page."""
    if user.is_superuser:
        return True, True
    index = ProcedureIndexPage.objects.filter(locale=Locale.get_default()).order_by("path").first()
    if index is None:
        return False, False
    perms = index.permissions_for_user(user)
    return perms.can_publish_subpage(), perms.can_edit() or perms.can_publish_subpage()


def require(user, *, importing: bool) -> None:
    can_import, can_export = catalogue_permissions(user)
    if not (can_import if importing else can_export):
        raise PermissionDenied


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Catalogue file (.csv or .xlsx)"),
        help_text=gettext_lazy("The first row names the columns, in the order shown below. At most 20 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."))
        return upload


class ImportExportView(WagtailAdminTemplateMixin, TemplateView):
    """The import/export screen: upload (POST) shows the preview."""

    template_name = "procedures/admin/import_export.html"
    page_title = gettext_lazy("Procedure import and export")
    header_icon = "download"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        require(request.user, importing=request.method == "POST")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", UploadForm())
        context["columns"] = COLUMNS
        context["required_columns"] = REQUIRED
        context["year"] = timezone.localdate().year
        context["can_import"] = catalogue_permissions(self.request.user)[0]
        return context

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        token = secrets.token_urlsafe(24)
        storage = staging_storage()
        purge_staged()
        staged = storage.save(f"{STAGING}/{token}{suffix}", upload)
        try:
            with storage.open(staged, "rb") as stream:
                plan = plan_import(read_table(stream, upload.name), ImportContext())
        except ImportFileError as error:
            storage.delete(staged)
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form))
        pending = request.session.get("procedure_imports", {})
        pending = {k: v for k, v in pending.items() if v["at"] > time.time() - TOKEN_TTL_SECONDS}
        pending[token] = {"file": staged, "name": upload.name, "at": time.time()}
        request.session["procedure_imports"] = pending
        return self.render_to_response(self.get_context_data(
            form=UploadForm(), plan=plan, token=token, filename=upload.name, counts=plan.counts(),
        ))


class ConfirmImportView(WagtailAdminTemplateMixin, TemplateView):
    """Import the previewed file (POST with its one-time token)."""

    template_name = "procedures/admin/import_result.html"
    page_title = gettext_lazy("Procedure import: result")
    header_icon = "download"
    http_method_names = ["post"]

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("procedures_import"), "label": _("Procedure import and export")},
                {"url": "", "label": _("Result")}]

    def post(self, request, *args, **kwargs):
        require(request.user, importing=True)
        pending = request.session.get("procedure_imports", {})
        entry = pending.pop(request.POST.get("token", ""), None)
        request.session["procedure_imports"] = pending
        storage = staging_storage()
        staged = (entry or {}).get("file")
        if not staged or entry["at"] < time.time() - TOKEN_TTL_SECONDS or not storage.exists(staged):
            messages.error(request, _("This preview has expired or was already imported. Upload the file again."))
            return redirect("procedures_import")
        try:
            ctx = ImportContext()
            with storage.open(staged, "rb") as stream:
                plan = plan_import(read_table(stream, entry["name"]), ctx)
            result = apply_plan(plan, ctx, parent=default_parent(), user=request.user)
        except ImportFileError as error:
            messages.error(request, str(error))
            return redirect("procedures_import")
        finally:
            storage.delete(staged)
        messages.success(request, result.summary())
        return self.render_to_response(self.get_context_data(result=result, filename=entry["name"]))


def export_view(request, fmt: str):
    """The export button: the whole catalogue in the import's columns."""
    require(request.user, importing=False)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        buffer = _spooled()
        exporting.write_xlsx(buffer)
        buffer.seek(0)
        return FileResponse(buffer, as_attachment=True, filename=f"thu-tuc-{stamp}.xlsx", content_type=XLSX)
    text = io.StringIO()
    exporting.write_csv(text)
    response = HttpResponse(text.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="thu-tuc-{stamp}.csv"'
    return response


def _spooled():
    return tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)


def roadmap_view(request):
    """Seed 004, section 2.2: the roadmap catalogue of level 3–4 services."""
    require(request.user, importing=False)
    response = HttpResponse(ministry_tables.roadmap_workbook(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="danh-muc-dvctt-{timezone.localdate():%Y%m%d}.xlsx"'
    return response

