"""Agencies and fields of administration: the catalogue's snippets."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from .choices import Tier


class Agency(TranslatableMixin, index.Indexed, ClusterableModel):
    """A body that receives and handles dossiers (cơ quan, đơn vị).

    Agencies form a tree: province → departments and the Public
    Administration Service Centre → communes.
    """

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    unit_code = models.CharField(
        _("unit code"),
        max_length=40,
        help_text=_("Identifier in the national catalogue of agency codes, e.g. 000.00.00.H30."),
        validators=[RegexValidator(r"^[0-9A-Za-z.\-]+$", _("Use digits, letters, dots and hyphens only."))],
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("short_name"), FieldPanel("parent"), FieldPanel("tier"),
             FieldPanel("unit_code")],
            heading=_("Agency"),
        ),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("phone"), FieldPanel("email"), FieldPanel("website"),
             FieldPanel("opening_hours")],
            heading=_("Contact"),
        ),
    ]
    search_fields = [
        index.SearchField("name"), index.AutocompleteField("name"), index.SearchField("short_name"),
        index.SearchField("unit_code"), index.AutocompleteField("unit_code"), index.FilterField("tier"),
        index.FilterField("locale_id"),
    ]
    override_translatable_fields = [
        SynchronizedField("unit_code", overridable=False),
        SynchronizedField("parent", overridable=False),
        SynchronizedField("phone", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["unit_code", "locale"], name="unique_agency_unit_code_per_locale"),
        ]

    def __str__(self) -> str:
        return self.name


class Field(TranslatableMixin, index.Indexed, models.Model):
    """A field of administration (lĩnh vực): hộ tịch, đất đai, xây dựng…"""

    name = models.CharField(_("name"), max_length=255)
    code = models.SlugField(_("code"), max_length=64, help_text=_("Short identifier used in addresses, e.g. ho-tich."))
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("description")]
    search_fields = [
        index.SearchField("name"), index.AutocompleteField("name"), index.SearchField("code"),
        index.FilterField("locale_id"),
    ]
    override_translatable_fields = [SynchronizedField("code", overridable=False)]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["code", "locale"], name="unique_field_code_per_locale")]

    def __str__(self) -> str:
        return self.name
