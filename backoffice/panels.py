"""Dashboard panels of late dossiers, read from the flag the daily scan
stores (`backoffice.late`), so the admin home page costs two grouped counts."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from accounts.models import StaffMembership, StaffRole
from eforms.models import DueState

from . import late


class OverduePanel(Component):
    """For leaders: overdue dossiers in their scope per handler, each count
    linking to the inbox filtered to that handler's overdue dossiers."""

    order = 50
    template_name = "backoffice/panels/overdue.html"

    def __init__(self, user) -> None:
        self.user = user

    def get_context_data(self, parent_context=None):
        rows = late.overdue_per_handler(self.user)
        for row in rows:
            row["name"] = late.staff_name(row["handler"]) if row["handler"] is not None else None
        return {"rows": rows, "total": sum(row["count"] for row in rows)}


class MyDuePanel(Component):
    """For anyone with a role: how many of their own dossiers are due soon
    or overdue."""

    order = 60
    template_name = "backoffice/panels/my_due.html"

    def __init__(self, user) -> None:
        self.user = user

    def get_context_data(self, parent_context=None):
        counts = late.counts_for(self.user)
        return {
            "overdue": counts[DueState.OVERDUE],
            "soon": counts[DueState.DUE_SOON],
            "overdue_url": late.inbox_url(DueState.OVERDUE),
            "soon_url": late.inbox_url(DueState.DUE_SOON),
            "soon_days": late.soon_days(),
        }


def panels_for(user) -> list[Component]:
    roles = set(
        StaffMembership.objects.filter(
            user=user, role__in=(StaffRole.RECEIVER, StaffRole.HANDLER, StaffRole.LEADER)
        ).values_list("role", flat=True)
    )
    panels: list[Component] = []
    if StaffRole.LEADER in roles or user.is_superuser:
        panels.append(OverduePanel(user))
    if roles:
        panels.append(MyDuePanel(user))
    return panels
