"""Claims of the stand-in identity provider: each test user's claims come
from the JSON file named by OIDC_TEST_USERS, as a national digital-identity
service would release them from its registry."""

import json
import os

from oauth2_provider.oauth2_validators import OAuth2Validator


def users() -> list[dict]:
    with open(os.environ["OIDC_TEST_USERS"], encoding="utf-8") as handle:
        return json.load(handle)


class ClaimsValidator(OAuth2Validator):
    # A custom claim for the 12-digit citizen identity number, released with
    # the "profile" scope.
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "id_number": "profile"}

    def get_additional_claims(self, request):
        for user in users():
            if user["username"] == request.user.username:
                return dict(user.get("claims", {}))
        return {}
