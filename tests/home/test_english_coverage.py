"""English coverage: every page type, snippet and e-form field is
translatable with wagtail-localize, and the report under Reports lists what
has no English version or an out-of-date one, with a CSV export."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale, Page, TranslatableMixin, get_page_models
from wagtail.snippets.models import get_snippet_models
from wagtail_localize.fields import TranslatableField, get_translatable_fields
from wagtail_localize.models import Translation, TranslationSource

from home.models import StandardPage
from home.setup import get_or_create_child, translate_page
from home.translation_report import MISSING, OUT_OF_DATE, english_coverage

# Snippets that are not content and have no English version by design.
NOT_TRANSLATED_SNIPPETS = {
    "search.SynonymGroup": "Vietnamese search synonyms: they fold Vietnamese queries",
    "notifications.MessageTemplate": "one template per channel and language, its `language` field chooses",
    "procedures.CalendarDay": "the working-day calendar: dates for deadline arithmetic, not published content",
}


def test_every_page_type_is_translatable():
    for model in get_page_models():
        if model is Page:
            continue
        names = {f.field_name for f in get_translatable_fields(model) if isinstance(f, TranslatableField)}
        assert "title" in names, model


def test_every_content_snippet_is_translatable():
    for model in get_snippet_models():
        label = model._meta.label
        if label in NOT_TRANSLATED_SNIPPETS or model._meta.app_config.name.split(".")[0] not in {
            "home", "procedures", "eforms", "feedback", "notifications",
        }:
            continue
        assert issubclass(model, TranslatableMixin), label
        assert any(isinstance(f, TranslatableField) for f in get_translatable_fields(model)), label


def test_eform_fields_translate_labels_help_and_choice_labels_and_keep_choices():
    from eforms.models import EFormField

    fields = {f.field_name: f for f in get_translatable_fields(EFormField)}
    for name in ("label", "help_text", "choice_labels"):
        assert isinstance(fields[name], TranslatableField), name
    for name in ("choices", "field_type", "clean_name"):
        assert name in fields and not isinstance(fields[name], TranslatableField), name


@pytest.fixture
def pages(home_page):
    missing = get_or_create_child(home_page, StandardPage, "chi-tieng-viet", title="Chỉ tiếng Việt")
    by_hand = get_or_create_child(home_page, StandardPage, "dich-tay", title="Dịch tay")
    translate_page(by_hand, "en", title="Translated by hand", slug="by-hand")
    localized = get_or_create_child(home_page, StandardPage, "dich-localize", title="Dịch bằng localize")
    source, _ = TranslationSource.get_or_create_from_instance(localized)
    en = Locale.objects.get(language_code="en")
    Translation.objects.create(source=source, target_locale=en).save_target(publish=True)
    english = localized.get_translation(en)
    if not english.live:  # the portal's publishing rules leave it a draft
        english.save_revision().publish()
    return missing, by_hand, localized


def _gaps():
    return {gap.title: gap for gap in english_coverage()}


def test_a_page_without_english_is_listed_missing(pages):
    missing, by_hand, localized = pages
    gaps = _gaps()
    assert gaps["Chỉ tiếng Việt"].status == MISSING
    assert gaps["Chỉ tiếng Việt"].edit_url == reverse("wagtailadmin_pages:edit", args=[missing.pk])
    assert "Dịch tay" not in gaps, gaps.get("Dịch tay")
    assert "Dịch bằng localize" not in gaps, gaps.get("Dịch bằng localize")


def test_a_vietnamese_edit_after_the_last_sync_makes_english_out_of_date(pages):
    _, by_hand, localized = pages
    later = timezone.now() + datetime.timedelta(minutes=5)
    for page in (by_hand, localized):
        revision = page.save_revision()
        type(revision).objects.filter(pk=revision.pk).update(created_at=later)
        Page.objects.filter(pk=page.pk).update(latest_revision_created_at=later)
    gaps = _gaps()
    assert gaps["Dịch tay"].status == OUT_OF_DATE
    assert gaps["Dịch bằng localize"].status == OUT_OF_DATE
    assert gaps["Dịch bằng localize"].target_synced_at < later
    # syncing the source again (wagtail-localize's "Sync translated pages") brings it up to date
    source = TranslationSource.objects.get_for_instance(localized)
    TranslationSource.objects.filter(pk=source.pk).update(last_updated_at=later + datetime.timedelta(seconds=1))
    assert "Dịch bằng localize" not in _gaps()


def test_an_unpublished_english_page_counts_as_missing(pages):
    _, by_hand, _ = pages
    by_hand.get_translation(Locale.objects.get(language_code="en")).unpublish()
    assert _gaps()["Dịch tay"].status == MISSING


def test_a_snippet_without_english_is_listed(home_page):
    from procedures.models import Agency

    Agency.objects.create(name="Sở Tư pháp", tier="province", locale=Locale.objects.get(language_code="vi"))
    gap = next(g for g in english_coverage() if g.title.startswith("Sở Tư pháp"))
    assert gap.kind == "snippet" and gap.status == MISSING


@pytest.mark.django_db
def test_report_is_under_reports_and_exports_csv(admin_client_with_second_factor, pages):
    url = reverse("english_coverage_report")
    response = admin_client_with_second_factor.get(url)
    assert response.status_code == 200
    assert "Chỉ tiếng Việt" in response.content.decode()
    home = admin_client_with_second_factor.get(reverse("wagtailadmin_home")).content.decode()
    assert url in home  # the Reports menu links to it
    export = admin_client_with_second_factor.get(url + "?export=csv")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows[0]) == 6
    assert any(row[0] == "Chỉ tiếng Việt" for row in rows[1:])


@pytest.mark.django_db
def test_report_needs_the_admin(client, pages):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("citizen-cov", "c@example.vn", "a-strong-pass-123"))
    response = client.get(reverse("english_coverage_report"))
    assert response.status_code in (302, 403)
