"""The EPCIS 2.0 REST interface at /epcis/v2/ (GS1 EPCIS 2.0, section 12 and its OpenAPI).

- `POST /epcis/v2/capture` takes one EPCISDocument (JSON-LD), all or nothing. The document is
  processed within the request, so the capture job is already finished when the `202 Accepted`
  answers; its `Location` (`/epcis/v2/capture/{captureID}`) tells whether the events were
  stored or why none was. A body that is not an EPCIS document at all is refused at once with
  `400` and `application/problem+json`, without a job.
- `GET /epcis/v2/capture/{captureID}` returns the capture job object.
- `GET /epcis/v2/events` answers the simple event query parameters with an EPCISQueryDocument,
  a page at a time (`perPage`, `nextPageToken`; the next page's URL is in the `Link` header).

Authentication is the JSON API's token (`Authorization: Bearer <token>`), or for capture a scale
device's key (`X-Device-Key: <key>`, a device bound to a gas station); the browser session also
works for reads. Who may capture which events is the ledger's and the modules' rule
(`jiceng.ledger.access`, `jiceng.gas.access`, docs/epcis.md): a document with one event the
capturer may not capture is refused whole with `403` and the reasons (`errors`), and nothing is
stored, no capture job either. Errors are RFC 7807 problem details (`application/problem+json`)
with the EPCIS exception as their type.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from jiceng.core.models import User
from jiceng.core.roles import may_write
from jiceng.core.services.accounts import api_token_authenticate
from jiceng.gas.models import ScaleDevice
from jiceng.gas.services.registry import scale_device_authenticate
from jiceng.ledger.access import CaptureForbidden
from jiceng.ledger.documents import NotADocument, document_shape_check
from jiceng.ledger.models import CaptureJob
from jiceng.ledger.selectors import (
    DEFAULT_PER_PAGE,
    QueryInvalid,
    capture_job_get,
    capture_job_get_for_device,
    events_query_document,
    format_time,
)
from jiceng.ledger.services import document_capture

PROBLEM = "application/problem+json"
CAPTURE_LIMIT = 10_000  # events per document
CAPTURE_FILE_SIZE_LIMIT = 20 * 1024 * 1024  # bytes per document
VERSION_HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}

# query parameter -> keyword of events_query_document; values may be repeated or joined by "|"
QUERY_PARAMETERS = {
    "MATCH_epc": "match_epc",
    "MATCH_anyEPC": "match_any_epc",
    "EQ_bizStep": "eq_biz_step",
    "EQ_bizLocation": "eq_biz_location",
    "EQ_disposition": "eq_disposition",
    "EQ_readPoint": "eq_read_point",
    "EQ_action": "eq_action",
    "eventType": "event_type",
    "GE_eventTime": "ge_event_time",
    "LT_eventTime": "lt_event_time",
}
SINGLE_VALUED = frozenset({"GE_eventTime", "LT_eventTime"})


class Problem(Exception):
    def __init__(self, status: int, kind: str, title: str, detail: str, **extra: Any):
        self.status, self.kind, self.title, self.detail, self.extra = (
            status,
            kind,
            title,
            detail,
            extra,
        )
        super().__init__(detail)


def _problem_response(problem: Problem, request: HttpRequest) -> HttpResponse:
    body = {
        "type": f"epcisException:{problem.kind}",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.path,
        **problem.extra,
    }
    response = JsonResponse(
        body, status=problem.status, content_type=PROBLEM, json_dumps_params={"ensure_ascii": False}
    )
    if problem.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="epcis"'
    return response


DEVICE_HEADER = "X-Device-Key"


def _device(request: HttpRequest) -> ScaleDevice | None:
    """The device whose key the request carries (`X-Device-Key`), None without the header; a
    key that is unknown or revoked is refused."""
    key = request.headers.get(DEVICE_HEADER)
    if key is None:
        return None
    device = scale_device_authenticate(key.strip())
    if device is None:
        raise Problem(
            401,
            "SecurityException",
            "Authentication required",
            "Unknown or revoked device key.",
        )
    return device


def _user(request: HttpRequest, *, write: bool) -> User:
    header = request.headers.get("Authorization", "")
    user: Any = None
    if header[:7].lower() == "bearer ":
        user = api_token_authenticate(header[7:].strip())
    elif not write and request.user.is_authenticated:
        user = request.user  # the browser session, for reads only (writes need the token)
    if user is None:
        raise Problem(
            401,
            "SecurityException",
            "Authentication required",
            "Send Authorization: Bearer <token> (jiceng token USERNAME prints one).",
        )
    if write and not may_write(user):
        raise Problem(403, "SecurityException", "Not allowed", "Your roles may not capture events.")
    return user


def epcis_view(fn: Any) -> Any:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = fn(request, *args, **kwargs)
        except Problem as problem:
            response = _problem_response(problem, request)
        except Http404 as exc:
            response = _problem_response(
                Problem(404, "NoSuchNameException", "Not found", str(exc) or "Not found."), request
            )
        except PermissionDenied as exc:
            response = _problem_response(
                Problem(403, "SecurityException", "Not allowed", str(exc) or "Forbidden."), request
            )
        for name, value in VERSION_HEADERS.items():
            response[name] = value
        return response

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return csrf_exempt(wrapper)


def capture_job_json(job: CaptureJob) -> dict[str, Any]:
    """The capture job object of EPCIS 2.0 (`errors` as RFC 7807 problem details)."""
    return {
        "captureID": str(job.capture_id),
        "createdAt": format_time(job.created_at),
        "finishedAt": format_time(job.finished_at) if job.finished_at else None,
        "running": job.running,
        "success": job.success,
        "captureErrorBehaviour": "rollback",
        "errors": [
            {
                "type": "epcisException:ValidationException",
                "title": "Event refused",
                "status": 400,
                "detail": reason,
            }
            for reason in job.errors
        ],
    }


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _capture_location(job: CaptureJob) -> str:
    return f"/epcis/v2/capture/{job.capture_id}"


@epcis_view
@require_http_methods(["POST"])
def capture(request: HttpRequest) -> HttpResponse:
    """Capture an EPCISDocument (all or nothing)."""
    device = _device(request)
    user = None if device is not None else _user(request, write=True)
    behaviour = request.headers.get("GS1-Capture-Error-Behaviour", "rollback")
    if behaviour.lower() != "rollback":
        raise Problem(
            501,
            "ImplementationException",
            "Not supported",
            "GS1-Capture-Error-Behaviour: only rollback is supported (all or nothing).",
        )
    raw = request.read(CAPTURE_FILE_SIZE_LIMIT + 1)
    if len(raw) > CAPTURE_FILE_SIZE_LIMIT:
        raise Problem(
            413,
            "CaptureLimitExceededException",
            "Document too large",
            f"A document may have at most {CAPTURE_FILE_SIZE_LIMIT} bytes; split it.",
        )
    try:
        document = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(
            400, "ValidationException", "Not an EPCIS document", f"The body is not JSON: {exc}."
        ) from None
    try:
        events = document_shape_check(document)
    except NotADocument as exc:
        raise Problem(400, "ValidationException", "Not an EPCIS document", exc.reason) from None
    if len(events) > CAPTURE_LIMIT:
        raise Problem(
            413,
            "CaptureLimitExceededException",
            "Too many events",
            f"A document may carry at most {CAPTURE_LIMIT} events; it has {len(events)}.",
        )
    try:
        if device is not None:
            job = document_capture(
                document=document,
                actor=None,
                device=device,
                device_label=device.capture_label,
                region=device.station.region,
            )
        else:
            job = document_capture(document=document, actor=user)
    except CaptureForbidden as exc:
        raise Problem(
            403,
            "SecurityException",
            "Not allowed",
            "You may not capture every event of this document; nothing was stored.",
            errors=exc.reasons,
        ) from None
    response = JsonResponse(capture_job_json(job), status=202)
    response["Location"] = _capture_location(job)
    response["GS1-CAPTURE-limit"] = str(CAPTURE_LIMIT)
    return response


@epcis_view
@require_http_methods(["GET"])
def capture_job(request: HttpRequest, capture_id: str) -> HttpResponse:
    """The capture job object (a device reads the jobs of its own captures)."""
    device = _device(request)
    if device is not None:
        job = capture_job_get_for_device(
            capture_id=capture_id, region_code=device.station.region_id
        )
        return JsonResponse(capture_job_json(job))
    user = _user(request, write=False)
    job = capture_job_get(capture_id=capture_id, user=user)
    return JsonResponse(capture_job_json(job))


def _query_parameters(request: HttpRequest) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    for name in request.GET:
        if name in ("perPage", "nextPageToken"):
            continue
        keyword = QUERY_PARAMETERS.get(name)
        if keyword is None:
            raise Problem(
                400,
                "QueryParameterException",
                "Unknown query parameter",
                f"{name}: not a query parameter this server answers "
                f"({', '.join([*QUERY_PARAMETERS, 'perPage', 'nextPageToken'])}).",
            )
        values = [v for raw in request.GET.getlist(name) for v in raw.split("|") if v]
        if name in SINGLE_VALUED:
            # "+08:00" sent without percent-encoding arrives as " 08:00"
            values = [v.replace(" ", "+") for v in values]
            if len(values) != 1:
                raise Problem(
                    400, "QueryParameterException", "Bad query parameter", f"{name}: one value."
                )
            parameters[keyword] = values[0]
        else:
            parameters[keyword] = values
    per_page = request.GET.get("perPage", str(DEFAULT_PER_PAGE))
    try:
        parameters["per_page"] = int(per_page)
    except ValueError:
        raise Problem(
            400, "QueryParameterException", "Bad query parameter", "perPage: not a number."
        ) from None
    parameters["page_token"] = request.GET.get("nextPageToken") or None
    return parameters


@epcis_view
@require_http_methods(["GET"])
def events(request: HttpRequest) -> HttpResponse:
    """Events matching the query parameters, as an EPCISQueryDocument."""
    user = _user(request, write=False)
    parameters = _query_parameters(request)
    try:
        document, token = events_query_document(user=user, **parameters)
    except QueryInvalid as exc:
        raise Problem(400, "QueryParameterException", "Bad query parameter", str(exc)) from None
    response = HttpResponse(document, content_type="application/json")
    if token:
        following = [(k, v) for k, vs in request.GET.lists() if k != "nextPageToken" for v in vs]
        query = urlencode([*following, ("nextPageToken", token)])
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{query}>; rel="next"'
    return response


urlpatterns = [
    path("capture", capture, name="epcis-capture"),
    path("capture/<str:capture_id>", capture_job, name="epcis-capture-job"),
    path("events", events, name="epcis-events"),
]
