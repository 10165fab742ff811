"""What the admin's create views of memberships (agency staff, postal
officers) share: a new member without an authenticator gets a one-time
enrolment code for the second factor (accounts.enrolment), issued on save
and shown this once, for the administrator to hand over in person."""

from __future__ import annotations

from django.utils.translation import gettext as _
from wagtail.admin.views import generic

from . import mfa
from .enrolment import issue_code


class EnrolmentCodeCreateView(generic.CreateView):
    #: recorded with the code: why it was issued
    enrolment_reason = "membership"
    enrolment_code = None

    def save_instance(self):
        instance = super().save_instance()
        if not mfa.has_totp(instance.user):
            self.enrolment_code = issue_code(instance.user, issued_by=self.request.user,
                                             reason=self.enrolment_reason)
        return instance

    def get_success_message(self, instance):
        message = super().get_success_message(instance)
        if self.enrolment_code is None:
            return message
        return _("%(message)s Enrolment code for %(email)s: %(code)s. It is shown only this once and works once; "
                 "give it to them in person for setting up their authenticator app.") % {
            "message": message, "email": instance.user.email, "code": self.enrolment_code}
