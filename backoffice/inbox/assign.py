"""Bulk assignment: the dossiers ticked in the inbox go to one handler, each
through `eforms.lifecycle.forward` (an internal event; the status stays).
All or nothing: one refusal (a dossier of another agency than the
handler's, a role that may not assign) leaves every dossier as it was."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView
from wagtail.admin.views.generic import PermissionCheckedMixin, WagtailAdminTemplateMixin

from accounts.models import StaffMembership, StaffRole
from backoffice.scope import visible_dossiers
from eforms import lifecycle
from eforms.models import Dossier

MAX_SELECTED = 500


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class AssignForm(forms.Form):
    handler = HandlerChoiceField(label=_("Handler"), queryset=get_user_model().objects.none())
    note = forms.CharField(label=_("Note for the handler"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, dossiers, **kwargs):
        super().__init__(*args, **kwargs)
        keys = {d.agency.translation_key for d in dossiers if d.agency_id}
        members = StaffMembership.objects.filter(
            agency__translation_key__in=keys, role__in=(StaffRole.HANDLER, StaffRole.LEADER)
        ).values("user")
        self.fields["handler"].queryset = (
            get_user_model().objects.filter(pk__in=members, is_active=True).order_by("first_name", "username")
        )


class AssignView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    model = Dossier
    permission_required = "view"
    form_class = AssignForm
    template_name = "backoffice/inbox/assign.html"
    page_title = _("Assign dossiers")
    header_icon = "user"
    index_url_name = None

    def selected_ids(self) -> list[int]:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        ids = []
        for value in source.getlist("id")[:MAX_SELECTED]:
            if value.isdigit():
                ids.append(int(value))
        return ids

    def get_dossiers(self) -> list[Dossier]:
        if not hasattr(self, "_dossiers"):
            self._dossiers = list(
                visible_dossiers(self.request.user).filter(pk__in=self.selected_ids())
                .select_related("agency", "assigned_to").order_by("code")
            )
        return self._dossiers

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "dossiers": self.get_dossiers()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(dossiers=self.get_dossiers(), index_url=self.index_url, **kwargs)

    @property
    def index_url(self):
        return reverse("dossiers:index")

    def nothing_selected(self):
        messages.warning(self.request, _("Select the dossiers to assign first."))
        return redirect(self.index_url)

    def get(self, request, *args, **kwargs):
        if not self.get_dossiers():
            return self.nothing_selected()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.get_dossiers():
            return self.nothing_selected()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        dossiers = self.get_dossiers()
        actor = lifecycle.Actor.staff(self.request.user)
        handler = form.cleaned_data["handler"]
        try:
            with transaction.atomic():
                for dossier in dossiers:
                    try:
                        lifecycle.forward(dossier, actor, handler, note=form.cleaned_data["note"])
                    except lifecycle.LifecycleError as error:
                        error.message = f"{dossier.code}: {error.message}"
                        raise
        except lifecycle.LifecycleError as error:
            form.add_error(None, error.message)
            form.add_error(None, _("No dossier was assigned."))
            return self.form_invalid(form)
        messages.success(self.request, ngettext(
            "%(count)d dossier assigned to %(name)s.", "%(count)d dossiers assigned to %(name)s.", len(dossiers),
        ) % {"count": len(dossiers), "name": form.fields["handler"].label_from_instance(handler)})
        return redirect(self.index_url)
