"""The JSON API root at /api/v1/ (django-ninja). Modules add their routers here."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from jiceng.api.auth import API_AUTH
from jiceng.api.cases import router as cases_router
from jiceng.api.core import router as core_router
from jiceng.api.ebike import router as ebike_router
from jiceng.api.federation import router as federation_router
from jiceng.api.gas import router as gas_router
from jiceng.api.hall import router as hall_router
from jiceng.api.hall_network import router as hall_network_router
from jiceng.api.lottery import router as lottery_router
from jiceng.api.ltc import router as ltc_router
from jiceng.api.power import router as power_router
from jiceng.api.projects import router as projects_router
from jiceng.api.schemas import DocumentedAPI
from jiceng.api.youth import router as youth_router
from jiceng.core.errors import Refused

api = DocumentedAPI(
    title="Jiceng API",
    version="1",
    description="JSON API of Jiceng (基层). Authenticate with `Authorization: Bearer <token>` "
    '(`jiceng token USERNAME` prints one). Errors are JSON: `{"detail": reason}`.',
    auth=API_AUTH,
    urls_namespace="api-v1",
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(ObjectDoesNotExist)
def missing(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(Refused)
def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    """A service's refusal or stale version (jiceng/core/errors.py): 409 with the reason."""
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Authentication required: send Authorization: Bearer <token>."},
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    reason = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
    return api.create_response(request, {"detail": reason, "errors": errors}, status=400)


@api.exception_handler(NinjaValidationError)
def malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    reasons = [
        f"{'.'.join(str(p) for p in err.get('loc', []))}: {err.get('msg', 'invalid')}"
        for err in exc.errors
    ]
    return api.create_response(
        request, {"detail": "; ".join(reasons), "errors": exc.errors}, status=400
    )


api.add_router("/", core_router)
api.add_router("/", cases_router)
api.add_router("/", hall_router)
api.add_router("/", hall_network_router)
api.add_router("/", federation_router)
api.add_router("/", ltc_router)
api.add_router("/", gas_router)
api.add_router("/", lottery_router)
api.add_router("/", projects_router)
api.add_router("/", ebike_router)
api.add_router("/", power_router)
api.add_router("/", youth_router)
