"""Signing's admin screens: certificates, the agencies that can sign, the register."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from signing.admin_views import CertificatePolicy, RegisterPolicy, SigningViewSetGroup
from signing.models import AgencyCertificate, SignedDocument

register_permission_policy(AgencyCertificate, CertificatePolicy(AgencyCertificate))
register_permission_policy(SignedDocument, RegisterPolicy(SignedDocument))


@hooks.register("register_admin_viewset")
def register_signing():
    return SigningViewSetGroup()
