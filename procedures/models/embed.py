"""Which sites may frame the embed card of an agency's procedures."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from ..embed.origins import normalise_origin, validate_origin
from .agencies import Agency


def default_locale_agencies() -> Q:
    """Origins hang on the default language's copy of an agency; the card
    matches them by the agency's translation key, whatever its language."""
    return Q(locale_id=Locale.get_default().pk)


class EmbedOrigin(models.Model):
    """One origin (`https://host[:port]`) allowed to frame the cards of the
    procedures of one agency: sent as the card's CSP `frame-ancestors`."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="embed_origins",
        limit_choices_to=default_locale_agencies,
    )
    origin = models.CharField(
        _("origin"), max_length=200, validators=[validate_origin],
        help_text=_("The site's scheme and host, e.g. https://sotuphap.example.gov.vn or "
                    "https://www.example.gov.vn:8443; no path, no wildcard."),
    )
    label = models.CharField(_("site name"), max_length=255, blank=True,
                             help_text=_("Optional: whose site this is, for the editors."))
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("site allowed to embed")
        verbose_name_plural = _("sites allowed to embed")
        ordering = ["agency__name", "origin"]
        constraints = [models.UniqueConstraint(fields=["agency", "origin"], name="unique_embed_origin_per_agency")]

    def __str__(self) -> str:
        return self.origin

    def save(self, *args, **kwargs) -> None:
        self.origin = normalise_origin(self.origin)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.origin:
            self.origin = normalise_origin(self.origin)

    @classmethod
    def allowed_for(cls, agency: Agency | None) -> list[str]:
        """The origins that may frame the cards of `agency`'s procedures."""
        if agency is None:
            return []
        return list(cls.objects.filter(agency__translation_key=agency.translation_key)
                    .order_by("origin").values_list("origin", flat=True).distinct())
