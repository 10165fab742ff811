"""Questions and answers, feedback and complaints, and ratings.

The rating of a returned dossier: the statistics (Decision 766's
satisfaction group) and the agency's report read it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Satisfaction(models.IntegerChoices):
    """The five-point scale of satisfaction surveys; 4 and 5 count as satisfied."""

    VERY_DISSATISFIED = 1, _("Very dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    NEUTRAL = 3, _("Neither satisfied nor dissatisfied")
    SATISFIED = 4, _("Satisfied")
    VERY_SATISFIED = 5, _("Very satisfied")


#: The scores that count as satisfied.
SATISFIED_SCORES = (Satisfaction.SATISFIED, Satisfaction.VERY_SATISFIED)


class Rating(models.Model):
    """The applicant's rating of one returned dossier: one per dossier."""

    dossier = models.OneToOneField("eforms.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE,
                                   related_name="rating")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.SET_NULL,
                                  null=True, related_name="+")
    # Copied from the dossier so reports count ratings without joining it.
    agency = models.ForeignKey("procedures.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
                               null=True, related_name="+")
    procedure = models.ForeignKey("procedures.ProcedurePage", verbose_name=_("procedure"),
                                  on_delete=models.PROTECT, related_name="+")
    timeliness = models.PositiveSmallIntegerField(_("result on time"), choices=Satisfaction.choices)
    attitude = models.PositiveSmallIntegerField(_("staff attitude"), choices=Satisfaction.choices)
    ease = models.PositiveSmallIntegerField(_("ease of the online service"), choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.timeliness}/{self.attitude}/{self.ease}"

    @property
    def satisfied(self) -> bool:
        """Satisfied overall: the mean of the three scores is 4 or more."""
        return (self.timeliness + self.attitude + self.ease) >= 12
