from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The portal's one user model, for citizens, businesses and staff alike.

    Set before the first migration so that later issues can grow it (profile,
    staff memberships, sign-in method) without swapping the user model.
    """

    email = models.EmailField(_("email address"), blank=True, db_index=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
