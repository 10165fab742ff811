"""Import of the procedure catalogue from `.csv` and `.xlsx` files.

A province loads its 1,000+ procedures at once. The file
has these columns, in this order; the first seven are required::

    code, name, field, agency_code, tier, level, processing_days, fee_vnd,
    fee_note, co_agency_codes, applicants, steps, components,
    submission_methods, result, requirements, legal_basis

Cell syntax (multi-valued cells hold one value per line):

- ``field``: the field's code (``ho-tich``) or name (``Hộ tịch``); an
  unknown field is created.
- ``agency_code`` / ``co_agency_codes``: unit codes of existing agencies
  (``000.00.10.H30``); an unknown code refuses the row.
- ``tier``: ``province``, ``district`` or ``commune`` (also ``tỉnh``,
  ``huyện``, ``xã``).
- ``level``: 1 to 4.
- ``processing_days``: a positive number of working days (``15``, ``0,5``),
  optionally followed by a unit: ``calendar_days`` (``ngày``) or ``hours``
  (``giờ``), e.g. ``4 hours``.
- ``fee_vnd``: whole đồng, empty when there is no fee (``50000``, ``50.000``).
- ``components``: one dossier component per line,
  ``name | copies | kind | template file``; everything after the name is
  optional (1 copy, original, no template). ``kind`` is ``bản chính``
  (original), ``bản sao`` (copy), ``bản sao chứng thực`` (certified copy) or
  ``bản chính hoặc bản sao`` (original or certified copy), or the English
  values ``original``, ``copy``, ``certified_copy``, ``original_or_copy``.
  The template is the file name of a Wagtail document that already exists,
  e.g. ``Tờ khai đăng ký khai sinh | 1 | bản chính | to-khai-khai-sinh.docx``.
- ``submission_methods``: ``in_person``, ``online``, ``post`` (also
  ``trực tiếp``, ``trực tuyến``, ``bưu chính``).
- ``legal_basis``: document numbers (``43/2011/NĐ-CP``), linked to the
  Vietnamese legal document pages with that number; numbers without a page
  are reported as warnings and left out.

Import upserts by ``code`` among the Vietnamese procedure pages: a row whose
values equal the page's is left alone, so importing a file twice changes
nothing. Every row is validated before anything is written; refused rows are
reported with their line number and reasons. New pages are written in
batches, each batch in a savepoint; if a batch fails in the database, its
rows are retried one by one, each in its own savepoint, so a refused row never
leaves a half-made page. Creation bypasses the per-page publish machinery
(signals, one save per page), which would take minutes for 10,000 rows, and
instead inserts the page tree rows, a first revision per page (so an editor
can open, edit and publish it as any other page), the search index entries
and one log entry per page in bulk; `treebeard_bulk` holds the private
treebeard and Django names this needs, and why.

The package reads (`reading`), validates (`validation`), plans (`planning`)
and writes (`writing`); callers import from `procedures.importing`.
"""

from .planning import ImportPlan, RefusedRow, plan_file, plan_import
from .reading import COLUMNS, MAX_ROWS, REQUIRED, ImportFileError, read_table
from .validation import (
    KIND_LABELS_VI,
    ComponentRow,
    ImportContext,
    ProcedureRow,
    format_processing,
    page_signature,
    validate_row,
)
from .writing import BATCH_SIZE, ImportResult, PageWriter, apply_plan, default_parent, import_file

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "KIND_LABELS_VI",
    "MAX_ROWS",
    "REQUIRED",
    "ComponentRow",
    "ImportContext",
    "ImportFileError",
    "ImportPlan",
    "ImportResult",
    "PageWriter",
    "ProcedureRow",
    "RefusedRow",
    "apply_plan",
    "default_parent",
    "format_processing",
    "import_file",
    "page_signature",
    "plan_file",
    "plan_import",
    "read_table",
    "validate_row",
]
