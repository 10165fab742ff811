"""schema.org `GovernmentService` data of a procedure page, for search
engines (issue 16, point 7): name, field, provider (the implementing
agency, with address and phone), area served (the province in the portal
settings), the fees in VND, and the online channel from level 3 on.
Written into the page as a JSON-LD data block (`home.seo.json_ld`)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from core.pages import language_of
from home.models import PortalSettings

from .models import ProcedurePage

SCHEMA = "https://schema.org"
CURRENCY = "VND"
#: From this level on the dossier is submitted online (DESIGN.md, "Online service levels").
ONLINE_LEVEL = 3


def _address(street: str, region: str) -> dict:
    address = {"@type": "PostalAddress", "addressCountry": "VN"}
    if street:
        address["streetAddress"] = street
    if region:
        address["addressRegion"] = region
    return address


def offers(page: ProcedurePage) -> list[dict]:
    """One offer per fee item, or one for the page's fee; none when no
    amount is stated (the note on fees then says it all)."""
    items = page.fee_items()
    if items:
        return [{"@type": "Offer", "name": fee.name, "price": int(fee.amount_vnd), "priceCurrency": CURRENCY}
                for fee in items]
    if page.fee_vnd is not None:
        return [{"@type": "Offer", "name": str(_("Fees and charges")), "price": int(page.fee_vnd),
                 "priceCurrency": CURRENCY}]
    return []


def government_service(page: ProcedurePage, request, online: bool = True) -> dict:
    portal = PortalSettings.load(request_or_site=request)
    province = portal.province
    agency = page.localized_agency()
    field = page.localized_field()
    provider = {"@type": "GovernmentOrganization", "name": agency.name,
                "address": _address(agency.address, province)}
    if agency.phone:
        provider["telephone"] = agency.phone
    if agency.email:
        provider["email"] = agency.email
    if agency.website:
        provider["url"] = agency.website
    data = {
        "@context": SCHEMA,
        "@type": "GovernmentService",
        "name": page.title,
        "identifier": page.code,
        "serviceType": field.name,
        "category": field.name,
        "url": request.build_absolute_uri(page.get_url(request=request)),
        "inLanguage": language_of(page),
        "provider": provider,
        "areaServed": {"@type": "AdministrativeArea", "name": province},
    }
    if page.search_description:
        data["description"] = page.search_description
    fees = offers(page)
    if fees:
        data["offers"] = fees
    channels = [{"@type": "ServiceChannel", "name": str(_("At the agency")),
                 "serviceLocation": {"@type": "GovernmentOffice", "name": agency.name,
                                     "address": _address(agency.address, province)}}]
    if agency.phone:
        channels[0]["servicePhone"] = {"@type": "ContactPoint", "telephone": agency.phone}
    if online and page.level >= ONLINE_LEVEL:
        try:
            apply_url = reverse("procedure_apply", kwargs={"code": page.code})
        except NoReverseMatch:
            apply_url = ""
        if apply_url:
            channels.insert(0, {"@type": "ServiceChannel", "name": str(_("Online")),
                                "serviceUrl": request.build_absolute_uri(apply_url)})
    data["availableChannel"] = channels
    return data
