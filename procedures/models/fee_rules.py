"""The rules a procedure's fees and result delivery keep, in one place for
the page editor (`ProcedurePage.clean`) and the catalogue import
(`procedures.importing.validation`).

- **Level 4** ("toàn trình", DESIGN.md): nothing needs a visit, so the
  result must be offered online or by post, and when the procedure has any
  fee (a fee item above 0 đồng, or `fee_vnd` above 0) it must be payable
  online.
- **`fee_vnd` stays the headline fee for old readers** (catalogue cards,
  search, the embed card, exports) when fee items exist: it is the total of
  every item (owed at submission and on a fee notice). Left empty, it is
  filled with that total; an amount that differs from it is refused, never
  overwritten. Without fee items `fee_vnd` is whatever was entered, as
  before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from .choices import ResultMethod, ServiceLevel

REMOTE_RESULT_METHODS = frozenset({ResultMethod.ONLINE.value, ResultMethod.POST.value})


def format_vnd(amount: int) -> str:
    """An amount as a reader expects it: "50.000 đồng" (vi), "50,000 VND" (en)."""
    # Django's vi formats set no NUMBER_GROUPING, so group by thousands here.
    grouped = f"{amount:,}".replace(",", get_format("THOUSAND_SEPARATOR"))
    return str(_("%(amount)s VND") % {"amount": grouped})


@dataclass
class FeeCheck:
    """The outcome of `check_fees`: the `fee_vnd` to store, and the
    problems by the page field they belong to (empty when all is well)."""

    fee_vnd: int | None
    errors: dict[str, str] = field(default_factory=dict)


def check_fees(*, level: int | None, fee_vnd: int | None, item_amounts: Iterable[int],
               online_payment: bool, result_methods: Sequence[str] | None) -> FeeCheck:
    """Apply the fee and level-4 rules to a procedure's values (see the
    module's docstring). `item_amounts` are the amounts of its fee items."""
    amounts = [int(a) for a in item_amounts if a is not None]
    errors: dict[str, str] = {}
    if amounts:
        total = sum(amounts)
        if fee_vnd is None:
            fee_vnd = total
        elif fee_vnd != total:
            errors["fee_vnd"] = str(_(
                "The fee (%(fee)s) differs from the total of the fee items (%(total)s). Leave it empty to use "
                "the total, or correct it or the items."
            ) % {"fee": format_vnd(fee_vnd), "total": format_vnd(total)})
    if level == ServiceLevel.LEVEL_4:
        if not REMOTE_RESULT_METHODS.intersection(result_methods or ()):
            errors["result_methods"] = str(_(
                "A level 4 procedure must offer the result online or by post."))
        if not online_payment and (any(a > 0 for a in amounts) or (fee_vnd or 0) > 0):
            errors["online_payment"] = str(_(
                "A level 4 procedure with a fee must let the applicant pay it online."))
    return FeeCheck(fee_vnd=fee_vnd, errors=errors)
