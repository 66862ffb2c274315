"""The Offramp REST API: /api/v1/, OpenAPI document at /api/v1/openapi.json."""

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from offramp.transitions import IllegalTransition
from offramp.web.views.errors import too_large_megabytes

from .auth import api_auth

UNAUTHENTICATED = {
    "description": "No valid bearer token or signed-in session",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


# Operation ids are clients' method names, made from the module of the view: the routers that
# moved from api/ into their apps keep the ids they were published with.
PUBLISHED_MODULES = {
    "offramp.people.api": "offramp.api.people",
    "offramp.referrals.api": "offramp.api.referrals",
    "offramp.assessments.api": "offramp.api.assessments",
    "offramp.cases.api": "offramp.api.cases",
}


class OfframpAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        module = operation.view_func.__module__
        published = PUBLISHED_MODULES.get(module, module)
        return f"{published}_{operation.view_func.__name__}".replace(".", "_")

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Declares the 401 every authenticated operation can answer, for clients and fuzzers."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if isinstance(operation, dict) and operation.get("security"):
                    operation["responses"].setdefault(401, UNAUTHENTICATED)
        return schema


api = OfframpAPI(
    title="Offramp API",
    version="1.0.0",
    description=(
        "People, referrals and assessments for a SOC Prevent partnership. Every call sees "
        "exactly what the caller's role and agency allow in the pages. Authenticate with "
        "`Authorization: Bearer <token>` (issue one with `offramp token create`) or a signed-in "
        "session with its CSRF token."
    ),
    auth=api_auth(),
    urls_namespace="api",
    docs_url=None,
)
api.add_router("/people", "offramp.people.api.router")
api.add_router("/referrals", "offramp.referrals.api.router")
api.add_router("/assessments", "offramp.assessments.api.router")
api.add_router("/framework", "offramp.assessments.api.framework_router")
api.add_router("/cases", "offramp.cases.api.router")
api.add_router("/panels", "offramp.cases.api.panels_router")
api.add_router("/exports", "offramp.exports.api.router")
api.add_router("/interventions", "offramp.interventions.api.router")
api.add_router("/networks", "offramp.networks.api.router")
api.add_router("/intake", "offramp.intake.api.router")
api.add_router("/screening", "offramp.screening.api.router")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return api.create_response(
        request, {"detail": "The request was refused", "errors": errors}, status=422
    )


@api.exception_handler(SchemaValidationError)
def schema_error(request: HttpRequest, error: SchemaValidationError) -> HttpResponse:
    """Input the schema refuses gets the same 422 shape as the services' refusals."""
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        location = [
            str(part) for part in item.get("loc", ()) if part not in ("body", "payload", "query")
        ]
        errors.setdefault(".".join(location) or "__all__", []).append(
            str(item.get("msg", "Invalid"))
        )
    return api.create_response(
        request, {"detail": "The request was refused", "errors": errors}, status=422
    )


@api.exception_handler(RequestDataTooBig)
def request_too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused before it is read: 413, not a 500."""
    detail = f"The request body is larger than the {too_large_megabytes()} MB the API accepts"
    return api.create_response(request, {"detail": detail}, status=413)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or "Not allowed"}, status=403)


@api.exception_handler(IllegalTransition)
def illegal_transition(request: HttpRequest, error: IllegalTransition) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=409)
