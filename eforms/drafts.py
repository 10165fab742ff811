"""An application in progress: a draft dossier seen through the e-form
version it was started with.

A draft is a `Dossier` in status `draft` (`eforms.services.save_draft`);
its `form_data` holds what the applicant has entered so far::

    {"applicant": {...}, "answers": {clean_name: value}, "delivery": {...}, "done": [step keys]}

and its `form_version` points at the `FormVersion` whose fields it follows,
so an editor changing the live form never changes an open draft. Uploads are
stored at once (`eforms.uploads.store`) as attachments of the draft, so a
step with an error never loses a file that passed the checks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from accounts import units
from eforms import fields as ef
from eforms.form_builder import EFormBuilder
from eforms.forms import ApplicantForm, ApplyingAs, ReviewForm, SubmissionForm
from eforms.models import Attachment, Dossier, DossierStatus, FormVersion
from eforms.models.forms import EFormPage, FieldSpec, Section
from eforms.services import applicant_snapshot, save_draft
from eforms.uploads import check_uploads, daily_quota_left, held_files, store
from procedures.embed.origins import clean_source

APPLICANT = "applicant"
DELIVERY = "delivery"
REVIEW = "review"


def drafts_for(user) -> QuerySet[Dossier]:
    """The applicant's unsubmitted applications, newest first: the one list
    of drafts, for "My dossiers", the procedure's start page and resuming."""
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(applicant=user, status=DossierStatus.DRAFT)
        .select_related("procedure")
        .order_by("-updated_at", "-pk")
    )


class TooManyDrafts(Exception):
    """The applicant already keeps the most open drafts a procedure allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def open_drafts(user, procedure) -> QuerySet[Dossier]:
    """The applicant's drafts of this procedure, in any of its languages."""
    return drafts_for(user).filter(procedure__translation_key=procedure.translation_key)


def start_draft(procedure, user, version: FormVersion, source: str = "") -> Dossier:
    """A new empty draft (`source`: the site that sent the applicant, kept
    on the dossier), unless the applicant already keeps
    PORTAL_MAX_OPEN_DRAFTS_PER_PROCEDURE of them: each may hold a dossier's
    worth of files, so one account must not open them without end. The
    applicant's row is locked so two tabs cannot both take the last place."""
    limit = settings.PORTAL_MAX_OPEN_DRAFTS_PER_PROCEDURE
    with transaction.atomic():
        if limit:
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            if open_drafts(user, procedure).count() >= limit:
                raise TooManyDrafts(limit)
        return save_draft(procedure=procedure, applicant=user, form_version=version.reference(),
                          form_data={"applicant": {}, "answers": {}, "delivery": {}, "done": []},
                          source=clean_source(source))


def discard_draft(user, public_id) -> bool:
    """Delete one of the applicant's own unsubmitted drafts with its files
    (a draft has no code, no events and no one else has seen it)."""
    draft = drafts_for(user).filter(public_id=public_id).first()
    if draft is None:
        return False
    draft.delete()
    return True


def to_json(value):
    """Cleaned form values as JSON (dates as ISO, decimals as text)."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass
class Step:
    key: str
    title: str
    number: int
    total: int
    section: Section | None = None
    help_text: str = ""


class Application:
    """One draft with its form version: the steps, the forms of each step,
    saving a step, the review and the data a dossier is submitted with."""

    def __init__(self, draft: Dossier, version: FormVersion, *, level: int) -> None:
        self.draft = draft
        self.version = version
        self.level = level
        data = draft.form_data or {}
        self.applicant: dict = dict(data.get("applicant") or {})
        self.answers: dict = dict(data.get("answers") or {})
        self.delivery: dict = dict(data.get("delivery") or {})
        self.done: list[str] = list(data.get("done") or [])

    # ------------------------------------------------------------ steps
    def steps(self) -> list[Step]:
        sections = self.version.sections()
        total = len(sections) + 3
        steps = [Step(APPLICANT, _("Applicant"), 1, total)]
        for number, section in enumerate(sections, start=2):
            steps.append(Step(section.key, section.title, number, total, section, section.help_text))
        steps.append(Step(DELIVERY, _("Agency, submission and result"), total - 1, total))
        steps.append(Step(REVIEW, _("Check your answers"), total, total))
        return steps

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps() if s.key == key), None)

    def next_step(self, key: str) -> Step:
        steps = self.steps()
        index = next(i for i, s in enumerate(steps) if s.key == key)
        return steps[min(index + 1, len(steps) - 1)]

    def previous_step(self, key: str) -> Step | None:
        steps = self.steps()
        index = next(i for i, s in enumerate(steps) if s.key == key)
        return steps[index - 1] if index > 0 else None

    def first_open_step(self) -> Step:
        for step in self.steps():
            if step.key != REVIEW and step.key not in self.done:
                return step
        return self.steps()[-1]

    def missing_steps(self) -> list[Step]:
        return [s for s in self.steps() if s.key != REVIEW and s.key not in self.done]

    def url(self, key: str) -> str:
        if key == REVIEW:
            return reverse("eforms_apply_review", kwargs={"code": self.draft.procedure.code,
                                                          "draft": self.draft.public_id})
        return reverse("eforms_apply_step", kwargs={"code": self.draft.procedure.code,
                                                    "draft": self.draft.public_id, "step": key})

    # ------------------------------------------------------------ forms
    def section_specs(self, key: str) -> list[FieldSpec]:
        step = self.step(key)
        return step.section.fields if step and step.section else []

    def form(self, key: str, data=None, files=None, *, agencies=(), user=None):
        if key == APPLICANT:
            initial = self.applicant or ApplicantForm.initial_from_profile(user)
            return ApplicantForm(data, files, initial=initial, profile=getattr(user, "profile", None))
        if key == DELIVERY:
            initial = dict(self.delivery) or {}
            if "agency" not in initial:
                suggested = suggested_agency(agencies, self.applicant)
                if suggested is not None:
                    initial["agency"] = str(suggested.pk)
            if not initial.get("pickup_address") and self.applicant.get("address"):
                initial["pickup_address"] = ef.address_text(self.applicant["address"])
            return SubmissionForm(data, files, initial=initial, agencies=agencies, level=self.level,
                                  procedure=self.draft.procedure)
        form_class = EFormBuilder(self.section_specs(key)).get_form_class()
        return form_class(data, files, initial=self.answers)

    def attachments(self, field_name: str | None = None) -> QuerySet[Attachment]:
        qs = self.draft.attachments.filter(event__isnull=True) if self.draft.pk else Attachment.objects.none()
        return qs.filter(field_name=field_name) if field_name else qs

    # ------------------------------------------------------------ saving
    def store_uploads(self, form, files, user, *, remove: list[str] = (), enforce_required: bool = True) -> None:
        """Remove the files the applicant asked to remove, then check and
        store the new ones; refused files become errors at their field, the
        accepted ones are kept with the draft whatever else is wrong."""
        upload_fields = form.file_fields() if hasattr(form, "file_fields") else {}
        if not upload_fields:
            return
        if remove:
            for attachment in self.attachments().filter(public_id__in=remove, field_name__in=list(upload_fields),
                                                        uploaded_by=user):
                attachment.delete()
        per_field, total = held_files(self.draft)
        rules = {
            name: (field.rules if enforce_required else dataclasses.replace(field.rules, required=False))
            for name, field in upload_fields.items()
        }
        uploads = {name: files.getlist(form.add_prefix(name)) if files else [] for name in upload_fields}
        check = check_uploads(uploads, rules, existing=per_field, existing_size=total,
                              quota_left=daily_quota_left(user))
        for checked in check.accepted:
            store(checked, uploaded_by=user, dossier=self.draft)
        if not hasattr(form, "cleaned_data"):
            form.full_clean()
        for name, messages in check.errors.items():
            for message in messages:
                form.add_error(name, message)

    def save_step(self, key: str, form, *, complete: bool, user) -> None:
        """Keep the step's valid values in the draft (all of them when
        `complete`; what is valid so far when saving to continue later)."""
        values = {name: to_json(value) for name, value in form.cleaned_data.items()
                  if not isinstance(form.fields.get(name), ef.UploadField)}
        if key == APPLICANT:
            self.applicant.update(values)
        elif key == DELIVERY:
            self.delivery.update(values)
        else:
            self.answers.update(values)
        if complete and key not in self.done:
            self.done.append(key)
        details = {}
        agency = None
        if key == DELIVERY and complete:
            agency = form.agencies.get(form.cleaned_data.get("agency") or "")
            start, end = form.pickup_window_bounds()
            details = {
                "channel": form.cleaned_data["channel"],
                "result_delivery": form.cleaned_data["result_delivery"],
                "pickup_address": form.cleaned_data.get("pickup_address") or "",
                "delivery_address": form.cleaned_data.get("delivery_address") or "",
                "pickup_from": start,
                "pickup_until": end,
            }
        self.draft = save_draft(procedure=self.draft.procedure, applicant=user, draft=self.draft,
                                form_data=self.form_data(), agency=agency, **details)

    def form_data(self) -> dict:
        return {"applicant": self.applicant, "answers": self.answers, "delivery": self.delivery, "done": self.done}

    # ------------------------------------------------------------ review
    def review_rows(self, agencies=()) -> list[dict]:
        """Every step with its answers as (label, text) and a change link."""
        rows = []
        for step in self.steps():
            if step.key == REVIEW:
                continue
            if step.key == APPLICANT:
                items = self._applicant_items()
            elif step.key == DELIVERY:
                items = self._delivery_items(agencies)
            else:
                items = [(spec.label, display_value(spec, self.answers.get(spec.clean_name),
                                                   self.attachments(spec.clean_name)), spec.clean_name)
                         for spec in step.section.fields]
            rows.append({"step": step, "items": [{"label": label, "value": value,
                                                  "url": f"{self.url(step.key)}?return=review#id_{field}"}
                                                 for label, value, field in items],
                         "complete": step.key in self.done, "url": self.url(step.key) + "?return=review"})
        return rows

    def _applicant_items(self):
        form = ApplicantForm()
        a = self.applicant
        names = ["applying_as", "full_name", "date_of_birth", "id_number", "phone", "sms_consent", "email",
                 "address"]
        if a.get("applying_as") == ApplyingAs.BEHALF:
            names += list(ApplicantForm.BEHALF_FIELDS)
        if a.get("applying_as") == ApplyingAs.ORGANISATION:
            names += list(ApplicantForm.ORGANISATION_FIELDS)
        return [(str(form.fields[n].label), form_value_text(form.fields[n], a.get(n)), n) for n in names]

    def _delivery_items(self, agencies):
        form = SubmissionForm(agencies=agencies, level=self.level, procedure=self.draft.procedure)
        d = self.delivery
        names = ["agency", "channel"]
        if d.get("channel") == "home_service":
            names += ["pickup_address", "pickup_date", "pickup_window"]
        names.append("result_delivery")
        if d.get("result_delivery") == "post":
            names.append("delivery_address")
        return [(str(form.fields[n].label), form_value_text(form.fields[n], d.get(n)), n) for n in names]

    def review_form(self, data=None, *, key: str):
        declaration = (self.version.definition or {}).get("declaration", "")
        return ReviewForm(data, initial={"idempotency_key": key}, declaration_text=declaration)

    # ------------------------------------------------------------ submitting
    def dossier_form_data(self) -> dict:
        """What the dossier keeps: the answers keyed by the synchronised
        field names (the same in every language), the files by name."""
        answers = dict(self.answers)
        for spec in self.version.specs():
            if spec.is_file:
                answers[spec.clean_name] = [
                    {"id": str(a.public_id), "name": a.original_name, "size": a.size, "sha256": a.sha256}
                    for a in self.attachments(spec.clean_name)
                ]
        return {
            "applicant": self.applicant,
            "answers": answers,
            "delivery": self.delivery,
            "form": {"title": self.version.definition.get("title", ""), "language": self.version.language,
                     "structure": self.version.structure_digest[:16]},
        }

    def snapshot(self, user) -> dict:
        """The profile as it is now, corrected by what the applicant typed."""
        snapshot = applicant_snapshot(user)
        a = self.applicant
        address = a.get("address") or {}
        snapshot.update({
            "full_name": a.get("full_name", snapshot.get("full_name", "")),
            "date_of_birth": a.get("date_of_birth", snapshot.get("date_of_birth", "")),
            "id_number": a.get("id_number", snapshot.get("id_number", "")),
            "phone": a.get("phone", snapshot.get("phone", "")),
            "email": a.get("email") or snapshot.get("email", ""),
            "province_code": address.get("province_code", ""),
            "commune_code": address.get("commune_code", ""),
            "street": address.get("street", ""),
            "address": ef.address_text(address),
            "applying_as": a.get("applying_as", ApplyingAs.SELF),
            "behalf_name": a.get("behalf_name", ""),
            "behalf_id_number": a.get("behalf_id_number", ""),
            "organisation_name": a.get("organisation_name", ""),
            "organisation_tax_code": a.get("organisation_tax_code", ""),
        })
        # notifications sends SMS only on this explicit True.
        snapshot["sms_consent"] = bool(a.get("sms_consent")) and bool(snapshot.get("phone"))
        snapshot["verified_fields"] = verified_fields(getattr(user, "profile", None), snapshot)
        if not snapshot["verified_fields"]:
            snapshot["verified_by"] = ""
        return snapshot


# ---------------------------------------------------------------- helpers


def verified_fields(profile, snapshot: dict) -> list[str]:
    """The profile's verified fields whose value the dossier carries
    unchanged: a value that differs (typed in a draft, or the profile
    changed since) is never recorded as verified."""
    if profile is None:
        return []
    verified = []
    for name in profile.verified_fields or []:
        value = getattr(profile, name, None)
        if isinstance(value, dt.date):
            value = value.isoformat()
        if value not in (None, "") and str(snapshot.get(name) or "") == str(value):
            verified.append(name)
    return verified


def version_for(draft: Dossier, eform: EFormPage | None) -> FormVersion:
    """The draft's pinned version, shown in the active language when the
    form's translation has the same structure (same names, types, choices)."""
    version = FormVersion.from_reference(draft.form_version)
    if version is None:
        if eform is None:
            raise FormVersion.DoesNotExist
        version = eform.current_version()
    language = translation.get_language() or ""
    if version.language == language:
        return version
    sibling = FormVersion.objects.filter(form_key=version.form_key, language=language,
                                         structure_digest=version.structure_digest).order_by("-pk").first()
    if sibling is None and eform is not None and eform.locale.language_code == language:
        current = eform.current_version()
        if current.structure_digest == version.structure_digest:
            sibling = current
    return sibling or version


def suggested_agency(agencies, applicant: dict):
    """For a commune-tier procedure, the applicant's own commune (matched by
    its official name, which the demo agencies and the units list share)."""
    commune = (applicant.get("address") or {}).get("commune_code") if applicant else None
    name = units.commune_name(commune) if commune else ""
    if not name:
        return None
    return next((a for a in agencies if a.tier == "commune" and a.name.casefold() == name.casefold()), None)


def form_value_text(field, value) -> str:
    """An answer as the applicant reads it on the review page."""
    if value in (None, "", [], {}):
        return ""
    if isinstance(field, ef.AddressField):
        return ef.address_text(value)
    if isinstance(field, forms.BooleanField):
        return _("Yes") if value else _("No")
    choices = getattr(field, "choices", None)
    if choices:
        labels = {str(k): str(v) for k, v in choices}
        if isinstance(value, list):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if isinstance(field, forms.DateField):
        try:
            return formats.date_format(dt.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
        except ValueError:
            return str(value)
    return str(value)


def display_value(spec: FieldSpec, value, attachments) -> str:
    if spec.is_file:
        names = [a.original_name for a in attachments]
        return ", ".join(names) if names else ""
    field = EFormBuilder([spec]).formfields.get(spec.clean_name)
    return form_value_text(field, value) if field is not None else str(value or "")
