"""Builders for the e-form tests (no tests here): an e-form with every
portal field type attached to a procedure, in Vietnamese and English, as a
factory-boy factory and the short functions the test modules call."""

from __future__ import annotations

import factory
import wagtail_factories

from eforms.models import EFormField, EFormIndexPage, EFormPage
from home.setup import ensure_site, translate_page
from tests.dossier_factories import ProcedurePageFactory, en, make_citizen, make_procedure, vi

#: (label vi, label en, type, required, extra)
FIELDS = [
    ("Mục đích yêu cầu", "Purpose of the request", "radio", True,
     {"choices": "Xin việc\nDu học\nKhác", "choice_labels": "Xin việc\nDu học\nKhác"}),
    ("Nội dung chi tiết", "Details", "multiline", False, {}),
    ("Giấy tờ kèm theo", "Attached documents", "step", False, {"help_text": "Tải lên bản quét"}),
    ("Bản sao căn cước", "Copy of the identity card", "file", True,
     {"allowed_types": "pdf,jpeg,png", "max_files": 2, "max_file_size_mb": 1}),
    ("Giấy tờ khác", "Other documents", "file", False, {}),
]
EN_CHOICE_LABELS = {"muc_dich_yeu_cau": "Job application\nStudy abroad\nOther"}


def eform_index():
    home = ensure_site()
    index = EFormIndexPage.objects.filter(locale=vi()).first()
    if index is None:
        index = home.add_child(instance=EFormIndexPage(title="Biểu mẫu điện tử", slug="bieu-mau", locale=vi()))
    return index


class EFormPageFactory(wagtail_factories.PageFactory):
    """A published e-form for a procedure (a new one by default), with the
    fields of `fields` and, unless `translate=False`, its English copy."""

    class Meta:
        model = EFormPage

    parent = factory.LazyFunction(eform_index)
    procedure = factory.SubFactory(ProcedurePageFactory)
    title = "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"
    slug = factory.LazyAttribute(lambda page: f"ef-{page.procedure.code.replace('.', '-')}")
    declaration = "Tôi cam đoan những lời khai trên là đúng sự thật."
    locale = factory.LazyFunction(vi)
    fields = FIELDS
    translate = True

    @classmethod
    def _create(cls, model_class, *args, parent, fields=FIELDS, translate=True, **kwargs):
        # The fields go in before the first save, as the editor's form puts them.
        page = model_class(*args, **kwargs)
        for order, (label, _label_en, field_type, required, extra) in enumerate(fields):
            page.form_fields.add(EFormField(label=label, field_type=field_type, required=required,
                                            sort_order=order, **extra))
        parent.add_child(instance=page)
        page.save_revision().publish()
        page = model_class.objects.get(pk=page.pk)
        if translate:
            translate_eform(page, fields)
        return page


def make_eform(procedure=None, fields=FIELDS, *, title="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
               translate: bool = True) -> EFormPage:
    return EFormPageFactory(procedure=procedure or make_procedure(), fields=fields, title=title, translate=translate)


def translate_eform(page: EFormPage, fields=FIELDS) -> EFormPage:
    """The English translation, with English labels (as a translator would give them)."""
    translate_page(page.procedure, "en", title=f"{page.procedure.title} (EN)")
    english = translate_page(page, "en", title=f"{page.title} (EN)", declaration="I declare this is true.")
    labels = {vi_label: en_label for vi_label, en_label, *_rest in fields}
    source = {f.translation_key: f for f in page.form_fields.all()}
    items = list(english.form_fields.all())
    for field in items:
        field.label = labels.get(source[field.translation_key].label, field.label)
        field.choice_labels = EN_CHOICE_LABELS.get(field.clean_name, field.choice_labels)
    english.form_fields = items
    english.save_revision().publish()
    return EFormPage.objects.get(pk=english.pk)


def citizen(username: str = "citizen-an", **kwargs):
    user = make_citizen(username, **kwargs)
    profile = user.profile
    profile.province_code, profile.commune_code = "66", "24133"
    profile.save()
    return user


__all__ = ["FIELDS", "EFormPageFactory", "citizen", "en", "eform_index", "make_eform", "translate_eform", "vi"]
