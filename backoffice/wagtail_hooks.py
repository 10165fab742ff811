"""The back office's admin screens, menus and dashboard panels."""

from wagtail import hooks

from backoffice.panels import panels_for

# ---------------------------------------------------------------- late dossiers on the dashboard


@hooks.register("construct_homepage_panels")
def add_late_dossier_panels(request, panels):
    panels.extend(panels_for(request.user))
