"""Demo procedures: 48 real administrative procedures of a province across
14 fields and the province, commune and (legacy) district tiers, with their
form templates and English translations.

`procedures.demo.load` calls `load(stdout)` after it has made the agencies,
fields, legal documents and the catalogue page. The procedures go through
the real importer (`procedures/demo_data/procedures.csv`), so the demo also
proves the import. `procedures/demo_data/procedures_en.csv` has the same
columns; only the texts are read from it (name, fee_note, applicants, steps,
result, requirements), its `components` cell holds the English names of
the components, one per line, in the Vietnamese order, and its `fee_items`
cell the fee items in the Vietnamese order, of which the name, payer and
exemptions are read (amounts and when they are owed come from the Vietnamese
page, as wagtail-localize synchronises them).

Fees: every procedure with an amount in `fee_vnd` has one fee item of that
amount (the amounts are those of the fee notes; `fee_vnd` stays their total).
The level 4 procedures offer the result at the office, by post and online,
and those with a fee take it online (`fee_rules`), e.g. 2.000635 (cấp bản sao
Trích lục hộ tịch, 8.000 đồng a copy, owed at submission) for the level 4
journey with a payment; level 3 procedures that accept dossiers by post also
post the result.

Idempotent and quick on a second run: existing documents, unchanged rows and
existing translations are left alone.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from django.core.files import File
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale

from core.text import to_slug
from home.setup import translate_page

from .importing import ImportContext, apply_plan, default_parent, plan_import, read_table
from .models import ProcedureComponent, ProcedureFee, ProcedurePage

DATA = Path(__file__).resolve().parent / "demo_data"
FORMS = DATA / "forms"
COLLECTION_NAME = "Biểu mẫu"
TEXT_FIELDS = ("fee_note", "applicants", "steps", "result", "requirements")


def forms_collection() -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=COLLECTION_NAME).first()
    return existing or root.add_child(name=COLLECTION_NAME)


def _docx_title(path: Path) -> str:
    """The title stored in a .docx's core properties, else the file name."""
    try:
        with zipfile.ZipFile(path) as package:
            core = ElementTree.fromstring(package.read("docProps/core.xml"))
        title = core.findtext("{http://purl.org/dc/elements/1.1/}title")
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        title = None
    return title or path.stem.replace("-", " ")


def _base_name(file_name: str) -> str:
    """`documents/to-khai_AbC1234.docx` → `to-khai.docx` (undo storage renames)."""
    name = Path(file_name).name
    match = re.match(r"^(.+)_[0-9A-Za-z]{7}(\.[0-9A-Za-z]+)$", name)
    return match.group(1) + match.group(2) if match else name


def load_form_templates() -> int:
    """Upload each form in `demo_data/forms/` once, into "Biểu mẫu"."""
    document_model = get_document_model()
    collection = forms_collection()
    have = {_base_name(name) for name in document_model.objects.values_list("file", flat=True)}
    created = 0
    for path in sorted(FORMS.iterdir()):
        if path.suffix.lower() not in (".docx", ".pdf") or path.name in have:
            continue
        document = document_model(title=_docx_title(path), collection=collection)
        with path.open("rb") as stream:
            document.file.save(path.name, File(stream), save=False)
        document.file_size = path.stat().st_size
        document.save()
        created += 1
    return created


def import_procedures():
    ctx = ImportContext()
    with (DATA / "procedures.csv").open("rb") as stream:
        plan = plan_import(read_table(stream, "procedures.csv"), ctx)
    if plan.refused:
        problems = "; ".join(f"line {r.line}: {', '.join(r.reasons)}" for r in plan.refused)
        raise RuntimeError(f"demo procedures refused: {problems}")
    return plan, apply_plan(plan, ctx, parent=default_parent(ctx.locale))


def _english_slug(name: str, code: str, parent) -> str:
    slug = to_slug(name)[:200] or to_slug(code.replace(".", "-"))
    if ProcedurePage.objects.child_of(parent).filter(slug=slug).exists():
        slug = f"{slug[:180]}-{to_slug(code.replace('.', '-'))}"
    return slug


def translate_procedures() -> int:
    """Make the English page of each demo procedure that has none yet."""
    vi = Locale.get_default()
    en = Locale.objects.get(language_code="en")
    with (DATA / "procedures_en.csv").open("rb") as stream:
        rows = read_table(stream, "procedures_en.csv")
    pages = {p.code: p for p in ProcedurePage.objects.filter(locale=vi, code__in=[c["code"] for _l, c in rows])}
    translated = set(
        ProcedurePage.objects.filter(locale=en, translation_key__in=[p.translation_key for p in pages.values()])
        .values_list("translation_key", flat=True)
    )
    created = 0
    for _line, cells in rows:
        page = pages.get(cells["code"])
        if page is None or page.translation_key in translated:
            continue
        names = [line.strip() for line in cells["components"].split("\n") if line.strip()]
        components = [
            ProcedureComponent(
                name=names[i] if i < len(names) else c.name, copies=c.copies, kind=c.kind,
                form_template_id=c.form_template_id, sort_order=c.sort_order, locale=en,
                translation_key=c.translation_key,
            )
            for i, c in enumerate(page.components.order_by("sort_order"))
        ]
        en_parent = page.get_parent().get_translation_or_none(en)
        fields = {name: cells[name] for name in TEXT_FIELDS}
        translate_page(
            page, "en", title=cells["name"], draft_title=cells["name"],
            slug=_english_slug(cells["name"], page.code, en_parent) if en_parent else page.slug,
            components=components, fees=_english_fees(page, cells.get("fee_items", ""), en), **fields,
        )
        created += 1
    return created


def _english_fees(page: ProcedurePage, cell: str, en: Locale) -> list[ProcedureFee]:
    """The page's fee items in English: name, payer and exemptions from the
    English `fee_items` cell (`name | amount | due | payer | exemptions`, in
    the Vietnamese order), the rest from the Vietnamese items."""
    lines = [line.strip() for line in cell.split("\n") if line.strip()]
    fees = []
    for i, fee in enumerate(page.fees.order_by("sort_order")):
        parts = [p.strip() for p in lines[i].split("|", 4)] if i < len(lines) else []
        parts += [""] * (5 - len(parts))
        fees.append(ProcedureFee(
            name=parts[0] or fee.name, amount_vnd=fee.amount_vnd, due=fee.due, payer=parts[3] or fee.payer,
            exemptions=parts[4] or fee.exemptions, sort_order=fee.sort_order, locale=en,
            translation_key=fee.translation_key,
        ))
    return fees


def load(stdout) -> None:
    documents = load_form_templates()
    plan, result = import_procedures()
    translations = translate_procedures()
    stdout.write(
        f"procedures: {len(plan.created) + len(plan.updated) + len(plan.unchanged)} demo procedures "
        f"({result.created} created, {result.updated} updated, {result.unchanged} unchanged), "
        f"{documents} form templates uploaded, {translations} English translations made"
        + (f", {len(result.warnings)} warnings" if result.warnings else "")
    )
