"""Every address of the portal, seen by four visitors: who may see what.

The table below is the written answer to "what can each kind of visitor
reach?"; the tests hold the code to it, and `test_every_address_is_in_the_table`
fails when a new URL appears without a line here, so whoever adds one decides
who may see it.

Visitors:
- ``anon``: nobody signed in.
- ``citizen``: a signed-in citizen with a verified email, not staff.
- ``staff_pw``: an agency staff member who typed the password but has not
  passed the second factor in this session (what a stolen password gives).
- ``staff``: the same staff member after the second factor.

Outcomes:
- ``ok``: the page is served (200).
- ``login``: sent to a sign-in page (citizens' login, or the admin's).
- ``second_factor``: sent to the admin's second-factor check.
- ``refused``: nothing of the resource (401, 403, 404 or 405); no personal data.
- ``redirect``: a redirect elsewhere on the portal that discloses nothing
  (permanent links, the closed Wagtail login, sign-out).

What each may see, in words:
- Anyone: the public pages (home, catalogue, procedures and their permanent
  links, search and suggestions, the status look-up, the document check
  (/verify/), the statistics and their downloads (/statistics/), sitemap, health check,
  the sign-in, sign-up and password-reset pages, the commune list).
- A citizen: in addition, their profile and privacy pages (their own data
  only), their own dossiers, receipts and files; never another applicant's
  dossier or file (404, as if it did not exist).
- Staff with a password only: what a citizen sees of their own account,
  nothing of the admin (every /admin/ view leads to the second-factor check),
  no dossier file as staff, and no page that manages the second factor
  (allauth's 2FA and re-authentication pages).
- Staff after the second factor: the admin, and their agency's dossier files
  (audited); still only their own data in the personal-data export.
"""

from __future__ import annotations

import re
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from accounts import mfa, totp
from eforms.uploads import UploadRules, check_file, store
from tests.dossier_factories import make_citizen, make_procedure, make_staff, pdf_bytes, submit, upload
from tests.second_factor import pass_second_factor

VISITORS = ("anon", "citizen", "staff_pw", "staff")


def _published_question(w):
    """A published question and answer about the world's procedure."""
    from django.utils import timezone

    from feedback.models import PublishedQuestion

    return PublishedQuestion.objects.create(title="Hỏi đáp", question_text="Câu hỏi?", answer="Trả lời.",
                                            procedure=w["procedure"], published_at=timezone.now(),
                                            locale=w["procedure"].locale)

# name of the URL -> (how to build the address, {visitor: outcome}).
# The address builders take the `world` fixture's dict.
PUBLIC = dict.fromkeys(VISITORS, "ok")
SIGNED_IN = {"anon": "login", "citizen": "ok", "staff_pw": "ok", "staff": "ok"}
OWN_DOSSIER = {"anon": "login", "citizen": "ok", "staff_pw": "refused", "staff": "refused"}
# A citizen at /admin/ is sent to the admin's login, which refuses them.
STAFF_ONLY_2FA = {"anon": "login", "citizen": "login", "staff_pw": "second_factor", "staff": "ok"}
MFA_SELF_SERVICE = {"anon": "login", "citizen": "ok", "staff_pw": "second_factor", "staff": "ok"}

TABLE: dict[str, tuple] = {
    "healthz": (lambda w: "/healthz", PUBLIC),
    "sitemap": (lambda w: "/sitemap.xml", PUBLIC),
    "robots_txt": (lambda w: "/robots.txt", PUBLIC),
    # POST only, signed by the SMS gateway (tests/notifications/test_sms_inbound.py)
    "sms_inbound": (lambda w: reverse("sms_inbound"), dict.fromkeys(VISITORS, "refused")),
    "search": (lambda w: reverse("search"), PUBLIC),
    "search_suggest": (lambda w: reverse("search_suggest") + "?q=khai", PUBLIC),
    "lookup": (lambda w: reverse("lookup"), PUBLIC),
    "signing_verify": (lambda w: reverse("signing_verify"), PUBLIC),
    # public statistics and their downloads: counts only, no dossier and no personal data
    "statistics": (lambda w: reverse("statistics"), PUBLIC),
    "statistics_download": (lambda w: reverse("statistics_download", args=["figures", "csv"]), PUBLIC),
    "procedure_permalink": (lambda w: reverse("procedure_permalink", args=[w["procedure"].code]),
                            dict.fromkeys(VISITORS, "redirect")),
    "eforms_communes": (lambda w: reverse("eforms_communes", args=["66"]), PUBLIC),
    # the embed card: public, read-only, no personal data (tests/procedures/test_embed.py)
    "procedure_embed": (lambda w: reverse("procedure_embed", args=[w["procedure"].code]), PUBLIC),
    "wagtail_serve": (lambda w: "/", PUBLIC),
    "wagtailcore_login_closed": (lambda w: "/_util/login/?next=/", dict.fromkeys(VISITORS, "login")),
    "wagtailadmin_password_reset": (lambda w: reverse("wagtailadmin_password_reset"), PUBLIC),
    "accounts_privacy_notice": (lambda w: reverse("accounts_privacy_notice"), PUBLIC),
    "accounts_consent": (lambda w: reverse("accounts_consent"), SIGNED_IN),
    # a one-time token emailed to the invited address; unknown tokens are a 404 for everyone
    "accounts_staff_invitation": (lambda w: reverse("accounts_staff_invitation", args=["not-a-token"]),
                                  {"anon": "login", "citizen": "refused", "staff_pw": "refused",
                                   "staff": "refused"}),
    "account_login": (lambda w: reverse("account_login"),
                      {"anon": "ok", "citizen": "redirect", "staff_pw": "redirect", "staff": "redirect"}),
    "account_signup": (lambda w: reverse("account_signup"),
                       {"anon": "ok", "citizen": "redirect", "staff_pw": "redirect", "staff": "redirect"}),
    "account_reset_password": (lambda w: reverse("account_reset_password"), PUBLIC),
    # the citizen's own account
    "accounts_profile": (lambda w: reverse("accounts_profile"), SIGNED_IN),
    "accounts_profile_edit": (lambda w: reverse("accounts_profile_edit"), SIGNED_IN),
    "accounts_my_data": (lambda w: reverse("accounts_my_data"), SIGNED_IN),
    "accounts_export": (lambda w: reverse("accounts_export"), SIGNED_IN),
    # staff accounts are not deleted by their owner (their actions are records)
    "accounts_delete": (lambda w: reverse("accounts_delete"),
                        {"anon": "login", "citizen": "ok", "staff_pw": "refused", "staff": "refused"}),
    "account_email": (lambda w: reverse("account_email"), SIGNED_IN),
    "account_change_password": (lambda w: reverse("account_change_password"), SIGNED_IN),
    "my_dossiers": (lambda w: reverse("my_dossiers"), SIGNED_IN),
    # one citizen's dossier: only its applicant
    "my_dossier": (lambda w: reverse("my_dossier", args=[w["dossier"].code]), OWN_DOSSIER),
    "dossier_record": (lambda w: reverse("dossier_record", args=[w["dossier"].code]), OWN_DOSSIER),
    "dossier_record_pdf": (lambda w: reverse("dossier_record_pdf", args=[w["dossier"].code]), OWN_DOSSIER),
    "dossier_submitted": (lambda w: reverse("dossier_submitted", args=[w["dossier"].code]), OWN_DOSSIER),
    # a dossier file: its applicant, and staff of the agency after the second factor
    "dossier_attachment": (lambda w: reverse("dossier_attachment", args=[w["attachment"].public_id]),
                           {"anon": "login", "citizen": "ok", "staff_pw": "second_factor", "staff": "ok"}),
    # managing the second factor: never on a password alone for staff
    "mfa_index": (lambda w: reverse("mfa_index"), MFA_SELF_SERVICE),
    # staff who passed are asked to re-authenticate, then refused: only
    # `manage.py reset_second_factor` removes a staff authenticator
    # (tests/accounts/test_security_second_factor.py follows it through)
    "mfa_deactivate_totp": (lambda w: reverse("mfa_deactivate_totp"),
                            {"anon": "login", "citizen": "refused", "staff_pw": "second_factor",
                             "staff": "redirect"}),
    "account_reauthenticate": (lambda w: reverse("account_reauthenticate"),
                               {"anon": "login", "citizen": "ok", "staff_pw": "second_factor", "staff": "ok"}),
    # feedback and complaints: public pages; the code shown once after sending, else back to tracking
    "feedback_complaints": (lambda w: reverse("feedback_complaints"), PUBLIC),
    "feedback_complaint_new": (lambda w: reverse("feedback_complaint_new"), PUBLIC),
    "feedback_complaint_sent": (lambda w: reverse("feedback_complaint_sent"), dict.fromkeys(VISITORS, "redirect")),
    "feedback_track": (lambda w: reverse("feedback_track"), PUBLIC),
    # rating a dossier: only its applicant (the dossier is not returned yet: back to it, tests/feedback/test_ratings.py)
    "dossier_rating": (lambda w: reverse("dossier_rating", args=[w["dossier"].code]),
                       {"anon": "login", "citizen": "redirect", "staff_pw": "refused", "staff": "refused"}),
    # the admin
    "wagtailadmin_home": (lambda w: reverse("wagtailadmin_home"), STAFF_ONLY_2FA),
    "english_coverage_report": (lambda w: reverse("english_coverage_report"), STAFF_ONLY_2FA),
    "wagtailusers_users:index": (lambda w: reverse("wagtailusers_users:index"),
                                 {"anon": "login", "citizen": "login", "staff_pw": "second_factor",
                                  "staff": "refused"}),
    # staff reports (reports/admin_views.py): the agencies of the staff member's scope only
    # (tests/reports/test_staff_reports.py, test_desk_log.py: another agency's id is a 404)
    "reports_agencies": (lambda w: reverse("reports_agencies"), STAFF_ONLY_2FA),
    "reports_agencies_export": (lambda w: reverse("reports_agencies_export", args=["csv"]), STAFF_ONLY_2FA),
    "reports_handlers": (lambda w: reverse("reports_handlers"), STAFF_ONLY_2FA),
    "reports_handlers_export": (lambda w: reverse("reports_handlers_export", args=["xlsx"]), STAFF_ONLY_2FA),
    "reports_desk_log": (lambda w: reverse("reports_desk_log"), STAFF_ONLY_2FA),
    "reports_desk_log_print": (lambda w: reverse("reports_desk_log_print"), STAFF_ONLY_2FA),
    "reports_desk_log_export": (lambda w: reverse("reports_desk_log_export", args=["csv"]), STAFF_ONLY_2FA),
    # the ministry's province-wide tables: superusers and province leaders, not an agency's receiver
    "reports_ministry": (lambda w: reverse("reports_ministry"),
                         {"anon": "login", "citizen": "login", "staff_pw": "second_factor", "staff": "refused"}),
    "reports_ministry_xlsx": (lambda w: reverse("reports_ministry_xlsx") + "?year=2025",
                              {"anon": "login", "citizen": "login", "staff_pw": "second_factor",
                               "staff": "refused"}),
    # the API (/api/v1/): its schema, docs and open data for anyone; the agency's dossiers only with an API
    # client's bearer token (tests/api/), never with a session, staff's included (401)
    "openapi-json": (lambda w: reverse("api_v1:openapi-json"), PUBLIC),
    "openapi-view": (lambda w: reverse("api_v1:openapi-view"), PUBLIC),
    "api-root": (lambda w: reverse("api_v1:api-root"), dict.fromkeys(VISITORS, "refused")),
    "api_dossiers": (lambda w: reverse("api_v1:api_dossiers"), dict.fromkeys(VISITORS, "refused")),
    "api_dossier": (lambda w: reverse("api_v1:api_dossier", args=[w["dossier"].code]),
                    dict.fromkeys(VISITORS, "refused")),
    "api_dossier_acknowledge": (lambda w: reverse("api_v1:api_dossier_acknowledge", args=[w["dossier"].code]),
                                dict.fromkeys(VISITORS, "refused")),
    "api_dossier_action": (lambda w: reverse("api_v1:api_dossier_action", args=[w["dossier"].code, "receive"]),
                           dict.fromkeys(VISITORS, "refused")),
    "api_dossier_upload": (lambda w: reverse("api_v1:api_dossier_upload", args=[w["dossier"].code]),
                           dict.fromkeys(VISITORS, "refused")),
    # fee notices of one dossier: GET lists, POST issues (tests/api/test_fees.py); a session is no token
    "api_dossier_fee_notices": (lambda w: reverse("api_v1:api_dossier_fee_notices", args=[w["dossier"].code]),
                                dict.fromkeys(VISITORS, "refused")),
    "api_dossier_fee_notice_issue": (lambda w: reverse("api_v1:api_dossier_fee_notice_issue",
                                                       args=[w["dossier"].code]), dict.fromkeys(VISITORS, "refused")),
    "api_file_download": (lambda w: reverse("api_v1:api_file_download", args=["x:y:z"]),
                          dict.fromkeys(VISITORS, "refused")),
    "api_open_fields": (lambda w: reverse("api_v1:api_open_fields"), PUBLIC),
    "api_open_agencies": (lambda w: reverse("api_v1:api_open_agencies"), PUBLIC),
    "api_open_procedures": (lambda w: reverse("api_v1:api_open_procedures"), PUBLIC),
    "api_open_procedures_csv": (lambda w: reverse("api_v1:api_open_procedures_csv"), PUBLIC),
    "api_open_procedure": (lambda w: reverse("api_v1:api_open_procedure", args=[w["procedure"].code]), PUBLIC),
    # POST only: the status look-up's rules (tests/api/test_open_data.py)
    "api_open_lookup": (lambda w: reverse("api_v1:api_open_lookup"), dict.fromkeys(VISITORS, "refused")),
    # client credentials only, POST (tests/api/test_tokens.py)
    "oauth2_token": (lambda w: reverse("oauth2_token"), dict.fromkeys(VISITORS, "refused")),
    # questions and answers: asking and the published ones are public; the asker's details never are
    "questions_list": (lambda w: reverse("questions_list"), PUBLIC),
    "questions_ask": (lambda w: reverse("questions_ask"), PUBLIC),
    "questions_asked": (lambda w: reverse("questions_asked"), PUBLIC),
    "questions_detail": (lambda w: _published_question(w).get_absolute_url(), PUBLIC),
}

# Addresses that the table does not visit one by one, with the reason. The
# admin's own views are covered as a whole by
# test_a_password_only_staff_session_reaches_no_admin_view.
NOT_VISITED = {
    "wagtailcore_login": "Wagtail's plain login, shadowed by wagtailcore_login_closed",
    "documents": "Wagtail's document serving: public documents, privacy by collection",
    "wagtailcore_authenticate_with_password": "a page's own password form (Wagtail), no account",
    "wagtail_serve": "",
    # POST-only actions of one dossier: same access rule as my_dossier
    "my_dossier_withdraw": "POST action on the applicant's own dossier (tests/eforms/test_my_dossiers.py)",
    "my_dossier_supplement": "the applicant's own dossier (tests/eforms/test_my_dossiers.py)",
    "dossier_document": "the applicant's own Circular 03/2025 documents, never 06 (tests/backoffice/test_documents.py)",
    "dossier_document_pdf": "the same, as PDF (tests/backoffice/test_documents.py)",
    "payment_receipt_pdf": "the applicant's own e-receipt of a paid payment (tests/payments/test_receipts.py)",
    # applying: the applicant's own draft
    "procedure_apply": "starts a draft for the signed-in applicant (tests/eforms/test_apply.py)",
    "eforms_apply_review": "the applicant's own draft (tests/eforms/test_apply.py)",
    "eforms_apply_step": "the applicant's own draft (tests/eforms/test_apply.py)",
    # paying a fee: the applicant's own dossier and payment, 404 to anyone else
    "payment_start": "POST on the applicant's own dossier (tests/payments/test_fee_notices.py)",
    "payment_return": "the applicant's own payment (tests/payments/test_fee_notices.py)",
    "ipn": "a provider's signed server-to-server notification, no personal data (tests/payments/test_roundtrip.py)",
    "sandbox_pay": "the sandbox bank, 404 unless PORTAL_PAYMENT_SANDBOX (tests/payments/test_sandbox.py)",
    "sandbox_api": "the sandbox bank's API, 404 unless PORTAL_PAYMENT_SANDBOX (tests/payments/test_sandbox.py)",
    "questions_verify": "a signed, expiring link emailed to an asker; a bad one is a 400 page that shows nothing "
                        "(tests/feedback/test_questions.py)",
}


def _named_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            yield from _named_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def test_every_address_is_in_the_table():
    """A new public URL needs a line in TABLE (or NOT_VISITED, with a reason)."""
    known = set(TABLE) | set(NOT_VISITED)
    missing = []
    for route, name in _named_patterns(get_resolver().url_patterns):
        if name is None:
            continue  # allauth's old aliases, sitemap: no name to reverse
        if name.startswith(("account_", "socialaccount_", "mfa_", "google_", "facebook_", "openid_connect_")):
            continue  # allauth's pages: its own flows, rate limits and the second-factor guard below
        if name.startswith("wagtaildocs_"):
            continue
        if name not in known:
            missing.append(f"{route} ({name})")
    assert not missing, f"Add these addresses to the access table: {missing}"


# ---------------------------------------------------------------- the world


@pytest.fixture
def world(db, vietnamese):
    procedure = make_procedure()
    citizen = make_citizen("audit-citizen")
    EmailAddress.objects.create(user=citizen, email=citizen.email, primary=True, verified=True)
    attachment = store(check_file(upload("cccd.pdf", pdf_bytes("CCCD")), UploadRules.default(), "ban_sao_cccd"),
                       uploaded_by=citizen)
    dossier = submit(procedure, citizen, attachments=[attachment])
    attachment.refresh_from_db()
    staff = make_staff("audit-clerk", procedure.agency, "receiver")
    staff.set_password("a-long-staff-password-2026")
    staff.save()
    EmailAddress.objects.create(user=staff, email=staff.email, primary=True, verified=True)
    totp.activate(staff, totp.generate_secret())
    return {"procedure": procedure, "citizen": citizen, "dossier": dossier, "attachment": attachment,
            "staff": staff}


def _client_for(visitor, world, client):
    if visitor == "citizen":
        client.force_login(world["citizen"])
    elif visitor == "staff_pw":
        client.force_login(world["staff"])
    elif visitor == "staff":
        pass_second_factor(client, world["staff"])
    return client


def _outcome(response) -> str:
    status = response.status_code
    if status == 200:
        return "ok"
    if status in (401, 403, 404, 405, 410):
        return "refused"
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location == reverse("wagtailadmin_home"):
            return "refused"  # the admin's answer to a missing permission
        if "/second-factor/" in location:
            return "second_factor"
        if "/login/" in location and "next=" in location:
            return "login"
        return "redirect"
    return f"status {status}"


CASES = [(name, visitor) for name in TABLE for visitor in VISITORS]


@pytest.mark.parametrize(("name", "visitor"), CASES, ids=[f"{n}-{v}" for n, v in CASES])
def test_who_sees_what(client, world, name, visitor):
    build, expected = TABLE[name]
    with translation.override("vi"):
        address = build(world)
    response = _client_for(visitor, world, client).get(address)
    assert _outcome(response) == expected[visitor], f"{visitor} at {address}: {response.status_code} {response.get('Location', '')}"
    if visitor != "citizen" and _outcome(response) == "ok":
        body = response.content if not response.streaming else b""
        assert b"001099012345" not in body, "the applicant's ID number leaked"


def _admin_addresses():
    """Every /admin/ route with sample values for its parameters (int 1,
    str "x", uuid); regular-expression routes are skipped."""
    samples = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.uuid4())}
    resolver = get_resolver()
    admin = next(p for p in resolver.url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "admin/")

    def walk(patterns, prefix):
        for pattern in patterns:
            route = str(pattern.pattern)
            if route.startswith("^"):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + route)
            else:
                yield pattern.name, prefix + route

    for name, route in walk(admin.url_patterns, "/admin/"):
        address = re.sub(r"<(?:(\w+):)?\w+>", lambda m: samples.get(m.group(1) or "str", "x"), route)
        yield name, address


def test_a_password_only_staff_session_reaches_no_admin_view(client, world):
    """What a stolen staff password gives in the admin: only the sign-in,
    sign-out, password reset and second-factor pages."""
    exempt = mfa.EXEMPT_URL_NAMES
    client.force_login(world["staff"])
    reached = []
    addresses = list(_admin_addresses())
    assert len(addresses) > 100  # the walk found the admin
    for name, address in addresses:
        if name in exempt:
            continue
        response = client.get(address)
        if _outcome(response) not in ("second_factor", "refused"):
            reached.append(f"{address} ({name}): {response.status_code}")
    assert not reached, reached
