"""Import of the procedure catalogue from `.csv` and `.xlsx` files.

A province loads its 1,000+ procedures at once. The file
has these columns, in this order; the first seven are required::

    code, name, field, agency_code, tier, level, processing_days, fee_vnd,
    fee_note, co_agency_codes, applicants, steps, components,
    submission_methods, result, requirements, legal_basis

then, optionally and in any order, the columns of fee items and level 4::

    fee_items, online_payment, result_methods

A file without them (made before they existed) imports as before: a new
page gets no fee items, no online payment and the result at the office
only, and an existing page keeps its items, online payment and result
methods. `fee_vnd` and `fee_note` work as before in either kind of file;
no fee item is ever made from `fee_vnd`.

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
- ``fee_items``: one fee or charge per line,
  ``name | amount | due | payer | exemptions``; name and amount are
  required. ``amount`` is whole đồng like ``fee_vnd`` (``8000``,
  ``8.000``, ``0`` for a free item); ``due`` is ``submission`` (``khi
  nộp``, the default) or ``notice`` (``thông báo``: on the agency's fee
  notice during processing); ``payer`` is empty when the applicant pays;
  ``exemptions`` (in words) is the rest of the line and may contain ``|``,
  e.g. ``Lệ phí cấp bản sao Trích lục hộ tịch | 8.000 | khi nộp | |
  Miễn cho người thuộc hộ nghèo``. With items, ``fee_vnd`` is their total
  (`procedures.models.fee_rules`): left empty it is filled with the total,
  a different amount refuses the row.
- ``online_payment``: ``yes``/``no`` (also ``có``/``không``, ``1``/``0``;
  empty is no): whether the fees can be paid online.
- ``result_methods``: how the result can be received, separated by commas:
  ``office``, ``post``, ``online`` (also ``tại cơ quan``, ``bưu chính``,
  ``trực tuyến``); empty means at the office only.
- A level 4 row must offer ``post`` or ``online`` and, when it has a fee (an
  item above 0 or ``fee_vnd`` above 0), ``online_payment`` yes; otherwise it
  is refused, as the page editor refuses it. The check sees what the page
  would hold, so a file without the optional columns is judged with the
  page's stored values.

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
from .reading import BASE_COLUMNS, COLUMNS, MAX_ROWS, OPTIONAL_COLUMNS, REQUIRED, ImportFileError, read_table
from .validation import (
    DUE_LABELS_VI,
    KIND_LABELS_VI,
    ComponentRow,
    FeeRow,
    ImportContext,
    ProcedureRow,
    format_processing,
    ordered_result_methods,
    page_signature,
    parse_amount,
    validate_row,
)
from .writing import BATCH_SIZE, ImportResult, PageWriter, apply_plan, default_parent, import_file

__all__ = [
    "BASE_COLUMNS",
    "BATCH_SIZE",
    "COLUMNS",
    "DUE_LABELS_VI",
    "KIND_LABELS_VI",
    "MAX_ROWS",
    "OPTIONAL_COLUMNS",
    "REQUIRED",
    "ComponentRow",
    "FeeRow",
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
    "ordered_result_methods",
    "page_signature",
    "parse_amount",
    "plan_file",
    "plan_import",
    "read_table",
    "validate_row",
]
