"""How the apps above eforms add to a dossier without eforms importing them.

Payments, the postal home service and the back office live in higher
layers (see the import contract in pyproject.toml). They register here, in
their AppConfig.ready():

* a *section* for a dossier's pages: a function `(request, dossier)` that
  returns a `Section` (a template and its context) or None. The applicant's
  page ("My dossiers") renders the "applicant" sections, the back office's
  dossier screen the "staff" ones, in registration order;
* a *step*: an event action that changes no status but that the applicant
  should see in the dossier's history (a fee notice, a payment, the postal
  officer's pickup), with its label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise

__all__ = ["Section", "register_section", "register_step", "sections", "step_label", "public_step_actions"]

AUDIENCES = ("applicant", "staff")


@dataclass(frozen=True)
class Section:
    template: str
    context: dict = field(default_factory=dict)


SectionProvider = Callable[[object, object], "Section | None"]

_providers: dict[str, list[SectionProvider]] = {audience: [] for audience in AUDIENCES}
_steps: dict[str, tuple[Promise | str, bool]] = {}


def register_section(audience: str, provider: SectionProvider) -> None:
    if audience not in _providers:
        raise ValueError(f"unknown audience {audience!r}")
    if provider not in _providers[audience]:
        _providers[audience].append(provider)


def sections(audience: str, request, dossier) -> list[Section]:
    """The registered sections that have something to show for this dossier."""
    found = []
    for provider in _providers[audience]:
        section = provider(request, dossier)
        if section is not None:
            found.append(section)
    return found


def register_step(action: str, label: Promise | str, *, public: bool = True) -> None:
    """Name an event action that is no status change; `public` steps appear
    in the applicant's history and the public look-up's."""
    _steps[action] = (label, public)


def step_label(action: str) -> Promise | str | None:
    found = _steps.get(action)
    return found[0] if found else None


def public_step_actions() -> frozenset[str]:
    return frozenset(action for action, (_label, public) in _steps.items() if public)
