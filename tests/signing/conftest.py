"""Fixtures of the signing tests: one test CA per session, an agency with
a certificate installed as the admin would, one without."""

from __future__ import annotations

import pytest

from signing import certificates
from tests.dossier_factories import make_agency
from tests.signing import pki


@pytest.fixture(scope="session")
def authority():
    return pki.make_authority("Test Root CA – Cổng dịch vụ công")


@pytest.fixture(scope="session")
def stranger():
    """A CA the portal does not trust."""
    return pki.make_authority("Someone Else's CA")


@pytest.fixture
def agency(db):
    return make_agency("000.00.10.H30", "Sở Tư pháp")


@pytest.fixture
def signer(authority):
    return pki.make_signer(authority, "Sở Tư pháp tỉnh Đắk Lắk")


@pytest.fixture
def installed(agency, signer):
    """The agency's certificate, uploaded as in the admin."""
    return certificates.install(agency, signer.p12(), pki.PASSWORD)


@pytest.fixture
def unsigned_agency(db):
    return make_agency("000.00.19.H30", "Sở Nội vụ")


@pytest.fixture(autouse=True)
def english_messages():
    """The services' messages are read in English here (their Vietnamese is
    checked through the admin and /verify/ pages)."""
    from django.utils import translation

    with translation.override("en"):
        yield
