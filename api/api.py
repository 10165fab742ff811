"""The API at /api/v1/ (django-ninja): its schema at /api/v1/openapi.json
and its Swagger UI at /api/v1/docs (served from the portal's own static
files). Errors are RFC 9457 problem details (`api.problems`)."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from . import problems
from .dossiers import router as dossiers_router
from .fees import router as fees_router
from .opendata import router as open_router
from .schemas import Problem

#: Error answers every operation may give, added to the schema.
COMMON_ERRORS = {"400", "401", "403", "404", "409", "410", "422", "429", "500"}
SECURED_ERRORS = {"401", "403"}

DESCRIPTION = """The back-office API of the public-services portal, for agencies' one-stop software
(OAuth 2.0 client credentials: POST /o/token/ with HTTP Basic client authentication and
`grant_type=client_credentials`; send the token as `Authorization: Bearer …`), and open data
without a token. Every write takes an `Idempotency-Key` header. Errors are
`application/problem+json` (RFC 9457), in the language of `Accept-Language` (Vietnamese by default)."""


class Renderer(JSONRenderer):
    """ninja's JSON (dates as ISO 8601 to the millisecond), with Vietnamese kept readable."""

    json_dumps_params = {"ensure_ascii": False}


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's schema, with the problem answers documented as
        `application/problem+json` on every operation."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in problem_schema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault("Problem", problem_schema)
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                responses = operation["responses"]
                codes = set(COMMON_ERRORS)
                if not operation.get("security"):
                    codes -= SECURED_ERRORS
                for code in sorted(codes):
                    responses.setdefault(code, {"description": "Problem"})
                    responses[code]["content"] = problem
                for code, answer in responses.items():
                    if answer.get("content") is None and code == "200":
                        answer["content"] = {"application/octet-stream": {"schema": {"type": "string",
                                                                                      "format": "binary"}}}
        return schema


api = PortalAPI(
    title="Cổng dịch vụ công API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
    renderer=Renderer(),
)
problems.install(api)
api.add_router("", dossiers_router)
api.add_router("", fees_router)
api.add_router("", open_router)
