"""The privacy notice: what personal data the portal collects, and why
(Decree 13/2023/NĐ-CP, Art. 11 and 13: consent is given for stated purposes,
and the data subject is told each kind of data and its purpose). The sign-up
page and the notice page both render from these lists, so they cannot drift
apart; `PORTAL_PRIVACY_NOTICE_VERSION` names the version consented to."""

from django.utils.translation import gettext_lazy as _

# (code, purpose) — a citizen agrees to all of them at sign-up: without them
# the portal cannot provide its services.
PURPOSES = [
    ("account", _("Create and protect your account, and let you sign in.")),
    ("dossiers", _("Fill in, submit and follow your applications (dossiers) to the agencies that handle them.")),
    ("notifications", _("Email you about your dossiers, such as the receipt when you submit one.")),
    ("security", _("Keep the portal safe: stop abuse and investigate incidents.")),
]
PURPOSE_CODES = [code for code, _label in PURPOSES]

# (what, why, when) for each piece of data.
DATA_ITEMS = [
    (_("Email address"), _("To sign in, to confirm that the address is yours, and to send you notices about your dossiers."),
     _("At sign-up")),
    (_("Password"), _("To sign in. It is stored only as a one-way hash that nobody can read."), _("At sign-up")),
    (_("Full name, date of birth, citizen identity number"),
     _("To identify you as the applicant and to fill in e-forms for you."), _("Later, in your profile (optional)")),
    (_("Mobile phone number"), _("To fill in e-forms for you, so that the agency handling your dossier can call you."),
     _("Later, in your profile (optional)")),
    (_("Address (province, commune, street)"),
     _("To fill in e-forms and to deliver results to your home when you ask for it."),
     _("Later, in your profile (optional)")),
    (_("IP address and time of sign-in and of consent"),
     _("To keep the portal safe and to prove your consent."), _("Automatically")),
]
