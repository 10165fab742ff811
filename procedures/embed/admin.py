"""Admin → Embed kit: the sites allowed to frame each agency's procedure
cards, and the embed code builder."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from ..models import EmbedOrigin
from .builder import BuilderView


class EmbedOriginViewSet(ModelViewSet):
    model = EmbedOrigin
    name = "embed_origins"
    icon = "site"
    menu_label = _("Sites allowed to embed")
    form_fields = ["agency", "origin", "label"]
    list_display = ["origin", "agency", "label", "created_at"]
    list_filter = ["agency"]
    search_fields = ["origin", "label", "agency__name"]
    copy_view_enabled = False
    inspect_view_enabled = False


class BuilderViewSet(ViewSet):
    name = "embed_builder"
    icon = "code"
    menu_label = _("Embed code builder")

    def get_urlpatterns(self):
        return [path("", BuilderView.as_view(), name="index")]


class EmbedViewSetGroup(ViewSetGroup):
    items = (BuilderViewSet, EmbedOriginViewSet)
    menu_icon = "code"
    menu_label = _("Embed on other sites")
    menu_name = "embed"
    menu_order = 270
