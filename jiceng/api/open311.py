"""Open311 GeoReport v2 server at /open311/v2/ (https://wiki.open311.org/GeoReport_v2).

A service is a case category; a service request is a case, identified by its case number.
JSON and XML as the spec describes, datetimes in ISO 8601 with their offset, errors as a list of
`{code, description}` with HTTP 400, 403 or 404. The `api_key` is an API token (`jiceng token`).

Services are public. Service requests are written with an `api_key`; read with one, a key sees
the cases in its user's region in full. Read without one (as the spec allows, and as stock
clients do), the deployment answers with a public view unless JICENG_OPEN311_PUBLIC_READ=0:
- no reporter's name, phone or e-mail (Open311 has no field for them: they are never sent);
- no media_url: nothing records whether a photo shows a person, so no photo is public;
- the description is what the department publishes, the service's name (status_notes tells
  where the case stands), never the reporter's own words, which may name people;
- cases of the categories about one person's own affairs (care-insurance appeals, insurance
  claims, disputes between neighbours, elderly care) are left out altogether.

`agency_responsible` is the handling department once the case is dispatched; before that, the
office its category routes to in the region that owns the case (the town's, from intake on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, register_converter
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from jiceng.cases.models import CLOSED_STATUSES, Case, Category, Status
from jiceng.cases.routing import default_department_names
from jiceng.cases.selectors import cases_public, cases_visible_to
from jiceng.cases.services.intake import case_report
from jiceng.core.models import Region, User
from jiceng.core.services.accounts import api_token_authenticate

MAX_REQUESTS = 1000
DEFAULT_DAYS = 90


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        self.status, self.description = status, description
        super().__init__(description)


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")


# --- rendering ---------------------------------------------------------------------------------


def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        top.append(_xml_element(item, row))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="utf-8")


def _xml_element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_xml_element(key, child))
    elif isinstance(value, list):
        singular = {
            "attributes": "attribute",
            "values": "value",
            "endpoints": "endpoint",
            "formats": "format",
        }.get(tag, "item")
        for child in value:
            element.append(_xml_element(singular, child))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def _respond(
    fmt: str,
    root: str,
    item: str,
    rows: list[dict[str, Any]],
    *,
    single: bool = False,
    status: int = 200,
) -> HttpResponse:
    if fmt == "xml":
        if single:
            body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
                _xml_element(root, rows[0]), encoding="utf-8"
            )
        else:
            body = _xml(root, item, rows)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    data: Any = rows[0] if single else rows
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _errors(fmt: str, status: int, description: str) -> HttpResponse:
    return _respond(
        fmt, "errors", "error", [{"code": status, "description": description}], status=status
    )


def open311_view(fn: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            _check_jurisdiction(request)
            return fn(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return _errors(fmt, exc.status, exc.description)
        except PermissionDenied as exc:
            return _errors(fmt, 403, str(exc) or "Forbidden.")
        except ValidationError as exc:
            messages = (
                [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            return _errors(fmt, 400, "; ".join(messages))

    wrapper.__name__ = fn.__name__
    return csrf_exempt(wrapper)


def _check_jurisdiction(request: HttpRequest) -> None:
    jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if jurisdiction and not Region.objects.filter(code=jurisdiction, level="county").exists():
        raise Open311Error(404, f"jurisdiction_id {jurisdiction} is not served here.")


def _english(request: HttpRequest) -> bool:
    locale = (request.GET.get("locale") or getattr(request, "LANGUAGE_CODE", "") or "").lower()
    return locale.startswith("en")


def _user(request: HttpRequest) -> User:
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    if not key:
        raise Open311Error(403, "api_key is required.")
    user = api_token_authenticate(key)
    if user is None:
        raise Open311Error(403, "api_key is not valid.")
    return user


def _reader(request: HttpRequest) -> User | None:
    """The key's user for a read; None for a public read (no key, public reads allowed)."""
    if not (request.GET.get("api_key") or "") and settings.OPEN311_PUBLIC_READ:
        return None
    return _user(request)


# --- services ----------------------------------------------------------------------------------


def service_out(category: Category, english: bool) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": (category.name_en or category.name) if english else category.name,
        "description": category.description,
        "metadata": bool(getattr(category, "n_attributes", category.attributes.count())),
        "type": "realtime",
        "keywords": category.keywords,
        "group": (category.group_en or category.group) if english else category.group,
    }


@require_http_methods(["GET"])
@open311_view
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    from django.db.models import Count

    english = _english(request)
    rows = [
        service_out(c, english)
        for c in Category.objects.filter(is_active=True)
        .annotate(n_attributes=Count("attributes"))
        .order_by("group", "code")
    ]
    return _respond(fmt, "services", "service", rows)


@require_http_methods(["GET"])
@open311_view
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, f"service_code {code} not found.")
    english = _english(request)
    attributes = [
        {
            "variable": True,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": "",
            "order": a.order + 1,
            "description": (a.description_en or a.description) if english else a.description,
            "values": [
                {"key": v["key"], "name": (v.get("name_en") or v["name"]) if english else v["name"]}
                for v in a.values
            ],
        }
        for a in category.attributes.all()
    ]
    return _respond(
        fmt,
        "service_definition",
        "",
        [{"service_code": category.code, "attributes": attributes}],
        single=True,
    )


# --- service requests ---------------------------------------------------------------------------


# The fields a service request is made of, read as plain values (no model instances: a list
# of a thousand requests is built in a few milliseconds).
REQUEST_FIELDS = (
    "number",
    "status",
    "description",
    "reported_at",
    "updated_at",
    "resolve_deadline",
    "address",
    "lat",
    "lon",
    "media_url",
    "category_id",
    "category__code",
    "category__name",
    "category__name_en",
    "owner_region_id",
    "owner_region__name",
    "department__name",
    "department__name_en",
)


def requests_out(
    rows: Iterable[dict[str, Any]], english: bool = False, *, public: bool = False
) -> list[dict[str, Any]]:
    """Service requests as the spec shapes them; `public` leaves out what the public view must
    not show (see the module's docstring)."""
    zone = timezone.get_current_timezone()
    labels = {value: str(label) for value, label in Status.choices}
    rows = list(rows)
    offices = default_department_names(
        {(r["category_id"], r["owner_region_id"]) for r in rows if not r["department__name"]},
        english=english,
    )

    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None

    def agency(row: dict[str, Any]) -> str:
        if row["department__name"]:
            return str(
                (row["department__name_en"] or row["department__name"])
                if english
                else row["department__name"]
            )
        office = offices.get((row["category_id"], row["owner_region_id"]))
        return office or row["owner_region__name"] or ""

    out = []
    for row in rows:
        name = (
            (row["category__name_en"] or row["category__name"])
            if english
            else row["category__name"]
        )
        item = {
            "service_request_id": row["number"],
            "status": "closed" if row["status"] in CLOSED_STATUSES else "open",
            "status_notes": labels.get(row["status"], row["status"]),
            "service_name": name,
            "service_code": row["category__code"],
            "description": name if public else row["description"],
            "agency_responsible": agency(row),
            "service_notice": "",
            "requested_datetime": iso(row["reported_at"]),
            "updated_datetime": iso(row["updated_at"]),
            "expected_datetime": iso(row["resolve_deadline"]),
            "address": row["address"],
            "address_id": "",
            "zipcode": "",
            "lat": row["lat"],
            "long": row["lon"],
            "media_url": row["media_url"],
        }
        if public:
            del item["media_url"]
        out.append(item)
    return out


def _readable_cases(user: User | None) -> QuerySet[Case]:
    if user is None:
        return cases_public()
    return cases_visible_to(user)


def _parse_date(name: str, raw: str | None) -> datetime | None:
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        raise Open311Error(400, f"{name} is not an ISO 8601 date and time: {raw}")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@open311_view
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    if request.method != "GET":
        raise Open311Error(400, "Use GET or POST.")
    user = _reader(request)
    qs = _readable_cases(user)
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(number__in=ids[:MAX_REQUESTS])
    else:
        codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        end = _parse_date("end_date", request.GET.get("end_date"))
        start = _parse_date("start_date", request.GET.get("start_date"))
        if start is None and end is None:
            start = timezone.now() - timedelta(days=DEFAULT_DAYS)
        if start is not None:
            qs = qs.filter(reported_at__gte=start)
        if end is not None:
            qs = qs.filter(reported_at__lte=end)
        statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed, or both.")
        if statuses == {"open"}:
            qs = qs.filter(is_open=True)
        elif statuses == {"closed"}:
            qs = qs.filter(is_open=False)
    english = _english(request)
    rows = requests_out(
        qs.order_by("-reported_at", "-pk").values(*REQUEST_FIELDS)[:MAX_REQUESTS],
        english,
        public=user is None,
    )
    return _respond(fmt, "service_requests", "request", rows)


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _user(request)
    data = request.POST
    code = data.get("service_code", "")
    if not code:
        raise Open311Error(400, "service_code is required.")
    if not Category.objects.filter(code=code, is_active=True).exists():
        raise Open311Error(400, f"service_code {code} not found.")
    lat, lon = _float(data.get("lat"), "lat"), _float(data.get("long"), "long")
    address = data.get("address_string", "").strip()
    region_code = None
    if lat is None and lon is None:
        if not address:
            raise Open311Error(400, "A location is required: lat and long, or address_string.")
        region = _region_named_in(address)
        if region is None:
            raise Open311Error(
                400, "address_string names no place in the county; send lat and long."
            )
        region_code = region.code
    attributes: dict[str, Any] = {}
    for key in data:
        if key.startswith("attribute[") and key.endswith("]"):
            name = key[len("attribute[") : -1].removesuffix("][")
            values = data.getlist(key)
            attributes[name] = values if key.endswith("[]") or len(values) > 1 else values[0]
    name = " ".join(p for p in (data.get("last_name", ""), data.get("first_name", "")) if p).strip()
    case = case_report(
        actor=user,
        category=code,
        description=data.get("description", ""),
        region_code=region_code,
        lat=lat,
        lon=lon,
        address=address,
        source="api",
        reporter_name=name,
        reporter_phone=data.get("phone", ""),
        reporter_email=data.get("email", ""),
        attributes=attributes,
        media_url=data.get("media_url", ""),
        source_ref=data.get("device_id", "") or data.get("account_id", ""),
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    row = {
        "service_request_id": case.number,
        "service_notice": "",
        "account_id": data.get("account_id") or None,
    }
    return _respond(fmt, "service_requests", "request", [row], status=201)


def _float(raw: str | None, name: str) -> float | None:
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} is not a number: {raw}") from None


def _region_named_in(address: str) -> Region | None:
    """The deepest region whose name the address contains (an offline geocoder of last resort)."""
    candidates = Region.objects.filter(level__in=("village", "town")).only("code", "name", "level")
    best: Region | None = None
    for region in candidates:
        if (
            region.name
            and region.name in address
            and (best is None or len(region.code) > len(best.code))
        ):
            best = region
    return best


@require_http_methods(["GET"])
@open311_view
def request_detail(request: HttpRequest, number: str, *, fmt: str) -> HttpResponse:
    user = _reader(request)
    rows = requests_out(
        _readable_cases(user).filter(number=number).values(*REQUEST_FIELDS),
        _english(request),
        public=user is None,
    )
    if not rows:
        raise Open311Error(404, f"service_request_id {number} not found.")
    return _respond(fmt, "service_requests", "request", rows)


@require_http_methods(["GET"])
@open311_view
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    row = {
        "changeset": "2026-01-01T00:00:00+08:00",
        "contact": "",
        "key_service": "jiceng token USERNAME",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-01-01T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _respond(fmt, "discovery", "", [row], single=True)


urlpatterns = [
    path("discovery.<fmt:fmt>", discovery, name="open311-discovery"),
    path("services.<fmt:fmt>", services, name="open311-services"),
    path("services/<slug:code>.<fmt:fmt>", service_definition, name="open311-service"),
    path("requests.<fmt:fmt>", requests, name="open311-requests"),
    path("requests/<str:number>.<fmt:fmt>", request_detail, name="open311-request"),
]
