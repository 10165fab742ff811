"""Writing a plan: new pages in bulk batches, changed pages one by one
through Wagtail's revisions, each batch or row in its own savepoint."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import IO

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import COMMENTS_RELATION_NAME, Locale, Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.backends import get_search_backends

from core.text import to_slug

from ..models import Agency, LegalDocumentPage, ProcedureComponent, ProcedureFee, ProcedureIndexPage, ProcedurePage
from . import treebeard_bulk
from .planning import ImportPlan, RefusedRow, plan_import
from .reading import ImportFileError, read_table
from .validation import ComponentRow, FeeRow, ImportContext, ProcedureRow

BATCH_SIZE = 500


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    new_fields: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(refused)d refused.") % {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "refused": len(self.refused)}


def default_parent(locale: Locale | None = None) -> ProcedureIndexPage:
    locale = locale or Locale.get_default()
    parent = ProcedureIndexPage.objects.filter(locale=locale).order_by("path").first()
    if parent is None:
        raise ImportFileError(_("There is no procedure catalogue page to put new procedures under; create one first."))
    return parent


class PageWriter:
    """Writes rows to the database; kept together so batches share lookups."""

    def __init__(self, ctx: ImportContext, parent: Page, user=None):
        self.ctx = ctx
        self.parent = Page.objects.get(pk=parent.pk)
        self.user = user
        self.content_type = ContentType.objects.get_for_model(ProcedurePage)
        self.base_content_type = ContentType.objects.get_for_model(Page)
        self.slugs = set(Page.objects.filter(path__startswith=self.parent.path, depth=self.parent.depth + 1)
                         .values_list("slug", flat=True))

    # -- shared
    def _slug_for(self, row: ProcedureRow) -> str:
        base = to_slug(row.name)[:200] or "thu-tuc"
        code = to_slug(row.code.replace(".", "-"))
        slug = base
        if slug in self.slugs:
            slug = f"{base}-{code}"
        n = 2
        while slug in self.slugs:
            slug, n = f"{base}-{code}-{n}", n + 1
        return slug

    def _field_values(self, row: ProcedureRow) -> dict:
        return {
            "code": row.code, "field": self.ctx.get_or_create_field(row.field),
            "agency": self.ctx.agencies[row.agency_code], "tier": row.tier, "level": row.level,
            "processing_time": row.processing_time, "processing_unit": row.processing_unit, "fee_vnd": row.fee_vnd,
            "fee_note": row.fee_note, "applicants": row.applicants, "steps": row.steps,
            "submission_methods": list(row.submission_methods), "result": row.result,
            "requirements": row.requirements, "online_payment": bool(row.online_payment),
            "result_methods": list(row.result_methods or ()),
        }

    def _relations(self, row: ProcedureRow) -> tuple[list[int], list[int]]:
        co = [self.ctx.agencies[c].pk for c in row.co_agency_codes]
        legal = [self.ctx.legal_docs[n.casefold()] for n in row.legal_basis]
        return co, legal

    def _component(self, c: ComponentRow, page_id: int | None, order: int) -> ProcedureComponent:
        return ProcedureComponent(
            page_id=page_id, name=c.name, copies=c.copies, kind=c.kind, sort_order=order,
            form_template_id=self.ctx.documents[c.template] if c.template else None,
            locale=self.ctx.locale, translation_key=uuid.uuid4(),
        )

    # -- creating, in bulk
    def create_batch(self, rows: list[ProcedureRow]) -> list[int]:
        """Insert the rows' pages, children and links; return the page ids.
        Runs inside the caller's savepoint."""
        now = timezone.now()
        position = treebeard_bulk.last_child_position(self.parent)
        depth = self.parent.depth + 1
        pages, slugs = [], []
        for row in rows:
            position += 1
            slug = self._slug_for(row)
            self.slugs.add(slug)
            slugs.append(slug)
            # One ProcedurePage object carries both tables' columns; building
            # a separate Page instance would double the (costly) Page.__init__.
            pages.append(ProcedurePage(
                title=row.name, draft_title=row.name, slug=slug, content_type=self.content_type,
                locale=self.ctx.locale, translation_key=uuid.uuid4(),
                path=treebeard_bulk.child_path(self.parent, position), depth=depth, numchild=0,
                url_path=f"{self.parent.url_path}{slug}/", live=True, has_unpublished_changes=False,
                first_published_at=now, last_published_at=now, latest_revision_created_at=None,
                owner=self.user, **self._field_values(row),
            ))
        try:
            # bulk_create refuses multi-table models: insert Page's table, then
            # ProcedurePage's own table with the new ids.
            page_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
            returned = treebeard_bulk.insert_rows(Page, pages, page_fields)
            if len(returned) == len(pages):
                for page, (pk,) in zip(pages, returned, strict=True):
                    page.pk = page.id = page.page_ptr_id = pk
            else:  # a backend that does not return ids
                by_path = dict(Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "pk"))
                for page in pages:
                    page.pk = page.id = page.page_ptr_id = by_path[page.path]
            treebeard_bulk.insert_rows(ProcedurePage, pages, list(ProcedurePage._meta.local_concrete_fields))
            components, fees, co_links, legal_links, logs = [], [], [], [], []
            for row, page in zip(rows, pages, strict=True):
                components += [
                    (page.pk, c.name, c.copies, c.kind, i,
                     self.ctx.documents[c.template] if c.template else None, self.ctx.locale.pk, uuid.uuid4())
                    for i, c in enumerate(row.components)
                ]
                fees += [
                    (page.pk, f.name, f.amount, f.due, f.payer, f.exemptions, i, self.ctx.locale.pk, uuid.uuid4())
                    for i, f in enumerate(row.fee_items or ())
                ]
                co, legal = self._relations(row)
                co_links += [(page.pk, a) for a in co]
                legal_links += [(page.pk, d) for d in legal]
                logs.append((self.content_type.pk, page.pk, row.name, "wagtail.create", self.user.pk if self.user else
                             None, now, True, False, {"source": "import_procedures"}, uuid.uuid4()))
            _fast_insert(ProcedureComponent, ("page", "name", "copies", "kind", "sort_order", "form_template",
                                              "locale", "translation_key"), components)
            _fast_insert(ProcedureFee, ("page", "name", "amount_vnd", "due", "payer", "exemptions", "sort_order",
                                        "locale", "translation_key"), fees)
            _fast_insert(ProcedurePage.co_agencies.through, ("procedurepage", "agency"), co_links)
            _fast_insert(ProcedurePage.legal_basis.through, ("procedurepage", "legaldocumentpage"), legal_links)
            _fast_insert(PageLogEntry, ("content_type", "page", "label", "action", "user", "timestamp",
                                        "content_changed", "deleted", "data", "uuid"), logs)
            self._first_revisions([p.pk for p in pages], now)
            Page.objects.filter(pk=self.parent.pk).update(numchild=F("numchild") + len(pages))
        except Exception:
            for slug in slugs:
                self.slugs.discard(slug)
            raise
        return [p.pk for p in pages]

    def _first_revisions(self, page_ids: list[int], now) -> None:
        """Give each new page the revision `save_revision` + `publish` would
        have made, so the editor opens it like any page and its history and
        "compare" views have a start."""
        pages = list(ProcedurePage.objects.filter(pk__in=page_ids).order_by("pk")
                     .prefetch_related("components", "fees", "co_agencies", "legal_basis", COMMENTS_RELATION_NAME))
        Revision.objects.bulk_create([
            Revision(content_type=self.content_type, base_content_type=self.base_content_type, object_id=str(page.pk),
                     created_at=now, user=self.user, object_str=str(page), content=page.serializable_data())
            for page in pages
        ])
        first = Subquery(Revision.objects.filter(base_content_type=self.base_content_type,
                                                 object_id=Cast(OuterRef("pk"), CharField()))
                         .order_by("pk").values("pk")[:1])
        Page.objects.filter(pk__in=page_ids).update(latest_revision_id=first, live_revision_id=first,
                                                     latest_revision_created_at=now)

    # -- updating, one page at a time through Wagtail's revisions
    def update(self, row: ProcedureRow, page_id: int) -> None:
        page = ProcedurePage.objects.get(pk=page_id)
        values = self._field_values(row)
        for name, value in values.items():
            setattr(page, name, value)
        page.title = page.draft_title = row.name
        co, legal = self._relations(row)
        page.co_agencies = list(Agency.objects.filter(pk__in=co))
        page.legal_basis = list(LegalDocumentPage.objects.filter(pk__in=legal))
        existing = list(page.components.all())
        components = []
        for i, c in enumerate(row.components):
            obj = existing[i] if i < len(existing) else self._component(c, page.pk, i)
            obj.name, obj.copies, obj.kind, obj.sort_order = c.name, c.copies, c.kind, i
            obj.form_template_id = self.ctx.documents[c.template] if c.template else None
            components.append(obj)
        page.components = components
        page.fees = self._fees(page, row.fee_items or ())
        revision = page.save_revision(user=self.user, log_action=True)
        revision.publish(user=self.user, skip_permission_checks=True)
        self._sync_translations(page, values, co, legal)

    def _fees(self, page: ProcedurePage, rows: tuple[FeeRow, ...]) -> list[ProcedureFee]:
        """The page's fee items for `rows`, reusing the stored ones in order.
        A stored text whose one-line form equals the row's is kept as it is
        (the cell holds one line; an editor's line breaks survive)."""
        existing = list(page.fees.all())
        fees = []
        for i, f in enumerate(rows):
            obj = existing[i] if i < len(existing) else ProcedureFee(
                page_id=page.pk, locale=self.ctx.locale, translation_key=uuid.uuid4())
            for name in ("name", "payer", "exemptions"):
                if " ".join((getattr(obj, name) or "").split()) != getattr(f, name):
                    setattr(obj, name, getattr(f, name))
            obj.amount_vnd, obj.due, obj.sort_order = f.amount, f.due, i
            fees.append(obj)
        return fees

    def _sync_translations(self, page: ProcedurePage, values: dict, co: list[int], legal: list[int]) -> None:
        """Carry the language-independent values (the model's synchronised
        fields) to the page's live translations; their texts stay as
        translated. Their drafts are left alone: wagtail-localize refreshes
        synchronised fields from the source when a translation is synced."""
        ids = list(ProcedurePage.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk)
                   .values_list("pk", flat=True))
        if not ids:
            return
        synced = {k: values[k] for k in ("code", "field", "agency", "tier", "level", "processing_time",
                                         "processing_unit", "fee_vnd", "online_payment", "result_methods",
                                         "submission_methods")}
        ProcedurePage.objects.filter(pk__in=ids).update(**synced)
        self._sync_translated_fees(page, ids)
        co_through = ProcedurePage.co_agencies.through
        legal_through = ProcedurePage.legal_basis.through
        co_through.objects.filter(procedurepage_id__in=ids).delete()
        legal_through.objects.filter(procedurepage_id__in=ids).delete()
        co_through.objects.bulk_create([co_through(procedurepage_id=i, agency_id=a) for i in ids for a in co])
        legal_through.objects.bulk_create(
            [legal_through(procedurepage_id=i, legaldocumentpage_id=d) for i in ids for d in legal])


    @staticmethod
    def _sync_translated_fees(page: ProcedurePage, ids: list[int]) -> None:
        """The translations' fee items follow the source's: the same items
        (by translation key) with the same amounts, due and order; an item
        new in the source is copied with its source texts until translated;
        an item gone from the source goes. Their translated words stay."""
        source = list(page.fees.all())
        keys = [f.translation_key for f in source]
        ProcedureFee.objects.filter(page_id__in=ids).exclude(translation_key__in=keys).delete()
        have = {(f.page_id, f.translation_key): f for f in ProcedureFee.objects.filter(page_id__in=ids)}
        locales = dict(ProcedurePage.objects.filter(pk__in=ids).values_list("pk", "locale_id"))
        changed, new = [], []
        for page_id in ids:
            for f in source:
                item = have.get((page_id, f.translation_key))
                if item is None:
                    new.append(ProcedureFee(page_id=page_id, locale_id=locales[page_id], translation_key=f.translation_key,
                                            name=f.name, amount_vnd=f.amount_vnd, due=f.due, payer=f.payer,
                                            exemptions=f.exemptions, sort_order=f.sort_order))
                elif (item.amount_vnd, item.due, item.sort_order) != (f.amount_vnd, f.due, f.sort_order):
                    item.amount_vnd, item.due, item.sort_order = f.amount_vnd, f.due, f.sort_order
                    changed.append(item)
        ProcedureFee.objects.bulk_update(changed, ["amount_vnd", "due", "sort_order"])
        ProcedureFee.objects.bulk_create(new)


def _record_template_references(page_ids: list[int]) -> None:
    """Tell Wagtail's reference index which new pages use a form template,
    so a document's usage list shows them (the bulk insert skipped the
    signal that does it). Only pages with templates: few, and cheap."""
    for start in range(0, len(page_ids), 900):
        chunk = page_ids[start:start + 900]
        with_templates = set(ProcedureComponent.objects.filter(page_id__in=chunk, form_template__isnull=False)
                             .values_list("page_id", flat=True))
        for page in ProcedurePage.objects.filter(pk__in=with_templates):
            ReferenceIndex.create_or_update_for_object(page)


def _fast_insert(model, field_names: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT many rows of plain values with `executemany`, each value made
    ready by its model field as `save()` would: no model instances, which
    cost more than the insert itself for 10,000 pages' children."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    prepared = [
        tuple(f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True)) for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), BATCH_SIZE * 4):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                               prepared[start:start + BATCH_SIZE * 4])


def _index(page_ids: list[int]) -> None:
    """Add newly inserted pages to the search index in bulk."""
    if not page_ids:
        return
    pages = list(ProcedurePage.objects.filter(pk__in=page_ids).select_related("field", "agency")
                 .prefetch_related("components"))
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(ProcedurePage, pages)


def apply_plan(plan: ImportPlan, ctx: ImportContext, *, parent: Page | None = None, user=None,
               batch_size: int = BATCH_SIZE, index: bool = True) -> ImportResult:
    """Write a plan: create new pages in batches and update changed ones,
    each batch or row in its own savepoint."""
    result = ImportResult(unchanged=len(plan.unchanged), refused=list(plan.refused), warnings=plan.warnings,
                          new_fields=list(plan.new_fields))
    if not plan.created and not plan.updated:
        return result
    writer = PageWriter(ctx, parent or default_parent(ctx.locale), user)
    # Fields first, outside the row savepoints, so a rolled-back batch never
    # leaves a cached field that is not in the database.
    with transaction.atomic():
        for row in (*plan.created, *plan.updated):
            ctx.get_or_create_field(row.field)
    created_ids: list[int] = []
    for start in range(0, len(plan.created), batch_size):
        batch = plan.created[start:start + batch_size]
        try:
            with transaction.atomic():
                created_ids += writer.create_batch(batch)
                result.created += len(batch)
        except (DatabaseError, ValueError):
            for row in batch:  # find the culprit: one savepoint per row
                try:
                    with transaction.atomic():
                        created_ids += writer.create_batch([row])
                        result.created += 1
                except (DatabaseError, ValueError) as error:
                    result.refused.append(RefusedRow(row.line, row.code, [_db_reason(error)]))
    for row in plan.updated:
        try:
            with transaction.atomic():
                writer.update(row, plan.existing[row.code][0])
                result.updated += 1
        except (DatabaseError, ValueError) as error:
            result.refused.append(RefusedRow(row.line, row.code, [_db_reason(error)]))
    if index:
        for start in range(0, len(created_ids), batch_size):
            _index(created_ids[start:start + batch_size])
    _record_template_references(created_ids)
    result.refused.sort(key=lambda r: r.line)
    return result


def _db_reason(error: Exception) -> str:
    if isinstance(error, IntegrityError):
        return _("The database refused the row: %(error)s") % {"error": str(error).splitlines()[0]}
    return _("The row could not be saved: %(error)s") % {"error": str(error).splitlines()[0]}


def import_file(stream: IO[bytes], filename: str, *, parent: Page | None = None, user=None,
                dry_run: bool = False, index: bool = True) -> tuple[ImportPlan, ImportResult | None]:
    """Read, check and (unless `dry_run`) write one file."""
    ctx = ImportContext()
    plan = plan_import(read_table(stream, filename), ctx)
    if dry_run:
        return plan, None
    return plan, apply_plan(plan, ctx, parent=parent, user=user, index=index)
