"""Every Vietnamese catalogue is complete (no untranslated or fuzzy entry)
and its compiled .mo matches the .po, so no screen falls back to English."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    p for p in ROOT.glob("**/vi/LC_MESSAGES/django.po") if ".venv" not in p.parts and "node_modules" not in p.parts
)


def test_there_are_catalogues_for_the_site_frame():
    assert ROOT / "locale/vi/LC_MESSAGES/django.po" in CATALOGUES
    assert ROOT / "home/locale/vi/LC_MESSAGES/django.po" in CATALOGUES
    for po in CATALOGUES:
        assert (po.parent.parent.parent / "en/LC_MESSAGES/django.po").exists() or po.parent.parent.parent.name in ("allauth_locale", "wagtail_locale"), po


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_vietnamese_catalogue_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {po_path}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {po_path}: {fuzzy[:10]}"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run compilemessages"
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.mofile(str(mo_path))}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"{mo_path} is stale: {entry.msgid!r} missing; run compilemessages"
        assert compiled[key] == (entry.msgstr, tuple(sorted(entry.msgstr_plural.items()))), (
            f"{mo_path} is stale for {entry.msgid!r}; run compilemessages"
        )
