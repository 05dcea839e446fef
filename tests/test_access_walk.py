"""Every URL pattern and every API operation, walked as a user of another town, as a user
without the module's role and as an anonymous visitor, against records of 梧桐街道: each is
refused (403 or 404; a page redirects to the sign-in, the API answers 401 to the anonymous)
and no table changes.

New endpoints join the walk by being registered: the pages come from the URL resolver, the API
operations from the OpenAPI document. What may answer without refusing is listed in `PUBLIC`
(with the reason) or is a list or form of one's own region (a page without an identifier in
its path, `OWN_SCOPE_PAGES`); even those must change nothing when posted to empty. One county is
seeded per test, not per URL, and one statement counts every table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from jiceng.cases.services.intake import case_report
from jiceng.core.identifiers import make_credit_code
from jiceng.core.models import Role
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.core.services.registries import person_create
from jiceng.ebike.services.registry import building_create, ebike_register
from jiceng.gas.selectors import check_items
from jiceng.gas.services.checks import safety_check_record
from jiceng.gas.services.orders import order_take
from jiceng.gas.services.registry import scale_device_create
from jiceng.hall.services.catalogue import catalogue_load
from jiceng.hall.services.network import hall_create, point_create, window_create
from jiceng.hall.services.queue import ticket_take, window_open
from jiceng.inspections.services import round_start
from jiceng.ledger.models import CaptureJob
from jiceng.ltc.models import Assessment, InsuredPerson
from jiceng.ltc.services.applications import application_apply
from jiceng.ltc.services.institutions import institution_create
from jiceng.power.services import dr_event_create, meter_create
from jiceng.youth.services import talent_register
from tests.gas.conftest import capture, event, make_cylinder, network_build
from tests.ltc.conftest import new_id_number, walk

WUTONG = "330483001"
PUYUAN = "330483101"

# Pages and operations that answer without a user, by design; the reason for each.
PUBLIC: dict[str, str] = {
    "accounts/login/": "the sign-in page",
    "admin/login/": "the admin site's sign-in page",
    "admin/logout/": "the admin site's sign-out (one's own session)",
    "accounts/logout/": "signing out (changes nothing but one's own session)",
    "healthz": "the health check of the load balancer",
    "i18n/setlang/": "the language switch (a cookie)",
    "open311/v2/discovery.<fmt:fmt>": "Open311 discovery is public (GeoReport v2)",
    "open311/v2/services.<fmt:fmt>": "Open311 service list is public (GeoReport v2)",
    "open311/v2/services/<slug:code>.<fmt:fmt>": "Open311 service definitions are public",
    "open311/v2/requests.<fmt:fmt>": "Open311 public reads: no personal data (issue 12)",
    "open311/v2/requests/<str:number>.<fmt:fmt>": "Open311 public read of one request",
    "gas/q/s/<str:token>/": "the public page behind a site's QR label (its token is the key)",
    "gas/q/c/<str:serial>/": "the public page behind a cylinder's QR label",
}
# API operations without a user, by design; the reason for each.
PUBLIC_API: dict[str, str] = {
    "/api/v1/federation/messages": "signed envelopes from peers; a refused one is recorded by "
    "design (tests/federation shows that nothing else is stored)",
    "/api/v1/ltc/federation/institutions": "the signed list of designated institutions that "
    "peers fetch (互享); the first call creates this deployment's key",
}
# Path parameters that name no record of a region: a route with only these shows the user's
# own region (a year's report of their scope), like a route without parameters.
SCOPE_FREE = {"fmt": "a format", "year": "a calendar year (a report of the user's own scope)"}
# Pages whose query or form is one's own region (no identifier in the path): they answer 200
# to a signed-in user of any town, and must change nothing when posted to empty.
OWN_SCOPE_METHODS = ("GET",)
# Methods tried on pages; and on API operations, those the document lists.
PAGE_METHODS = ("GET", "POST")
REFUSED = {403, 404}
REFUSED_API = {400, 401, 403, 404, 405, 422}  # 400/422: the input is refused before any read


@dataclass
class County:
    values: dict[str, str]
    users: dict[str, Any]
    tokens: dict[str, str]


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def page_routes() -> list[str]:
    """Every page route of the project, except the JSON API's (walked from its OpenAPI)."""
    return [r for r in _routes(get_resolver().url_patterns) if not r.startswith("api/v1/")]


def api_operations() -> list[tuple[str, str, list[str]]]:
    """(method, path, parameter names) of every operation in the OpenAPI document."""
    from jiceng.api.root import api

    schema = api.get_openapi_schema()
    operations = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            operations.append((method.upper(), path, names))
    return operations


def table_counts_sql() -> str:
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy
        }
    )
    quote = connection.ops.quote_name
    # Table names come from the models, never from input.
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)  # noqa: S608


def counts(sql: str) -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


# --- the seeded county ------------------------------------------------------------------------


@pytest.fixture
def county(users, settings) -> County:
    """梧桐's records in every module, a user of 濮院 who administers it, a user of 梧桐 with no
    module's role, and the values to put in every path parameter."""
    settings.JICENG_REGION_CODE = "330483"
    gas = network_build()
    make_cylinder("WALK-1")
    assert capture(
        users["admin"],
        event("urn:jiceng:bizstep:delivering", ["WALK-1"], biz_location=gas.site.identifier),
    ).success
    make_cylinder("WALK-2")
    filled = event(
        "urn:jiceng:bizstep:filling", ["WALK-2"], biz_location="urn:jiceng:station:TX-S01"
    )
    assert capture(users["admin"], filled).success
    order = order_take(actor=users["admin"], site_id=gas.site.pk, nominal_kg=15, count=1)
    device, _key = scale_device_create(actor=users["admin"], station=gas.wutong, name="秤")
    job = CaptureJob.objects.filter(region_id="330483").first() or CaptureJob.objects.first()

    catalogue_load()
    point = point_create(
        actor=None,
        code="330483001-TC",
        name="梧桐便民服务中心",
        kind="town_center",
        region_code=WUTONG,
        lat=30.627,
        lon=120.566,
    )
    point.staff.add(users["clerk"])
    hall = hall_create(actor=None, point=point, name="梧桐医保大厅")
    window = window_create(actor=None, hall=hall, number=1, groups=["A"])
    window_open(actor=users["clerk"], window_id=window.pk)
    taken = ticket_take(hall_id=hall.pk, item_code="YB15", source="kiosk")

    case = case_report(
        actor=users["grid"],
        category="ebike_charging",
        description="楼道飞线充电",
        region_code="330483001001001",
        attributes={"place": "flying_lead"},
    )
    number = new_id_number()
    person = person_create(actor=None, name="沈阿婆", id_number=number, region_code="330483001001")
    application = application_apply(actor=users["clerk"], person_id_number=number, care_mode="home")
    walk(application, users["admin"], "accept", "assign", "assess")
    assessment = Assessment.objects.filter(application=application).first()
    institution = institution_create(
        actor=None,
        name="梧桐护理院",
        credit_code=make_credit_code("5", "2", "330483", 901),
        region_code=WUTONG,
        care_modes=["home"],
        beds=10,
        capacity=10,
    )
    insured = InsuredPerson.objects.filter(person=person).first()
    talent = talent_register(
        actor=None,
        name="王青",
        id_number=new_id_number(),
        region_code="330483001001",
        education="bachelor",
        background="villager",
    )
    meter = meter_create(
        actor=None, code="M-WALK", category="large_industry", flat_price="0.6", region=WUTONG
    )
    power_event = dr_event_create(
        actor=None,
        day=timezone.localdate(),
        start=time(14, 0),
        end=time(16, 0),
        kind="peak_shaving",
        baseline="recent_workdays",
        price_yuan_per_kwh=Decimal("4"),
        region=WUTONG,
    )
    building = building_create(
        actor=None, name="庆丰小区1幢", region_code="330483001001001", floors=18, height_m=54
    )
    bike = ebike_register(
        actor=None,
        plate="桐乡A12345",
        frame_number="TX2025A0001234",
        standard="GB17761-2024",
        bought_on=None,
        building=building.pk,
    )
    check = safety_check_record(
        actor=users["admin"],
        site_id=gas.site.pk,
        answers={code: {"ok": True} for code, _label in check_items()},
    )
    patrol = round_start(actor=users["admin"], region_code=WUTONG)
    assert assessment is not None and job is not None, "the walk needs real records to refuse"

    other_admin = user_create(
        username="py-admin", password=None, region_code=PUYUAN, roles=[Role.TOWN_ADMIN]
    )
    no_role = user_create(
        username="wt-grid", password=None, region_code=WUTONG, roles=[Role.GRID_WORKER]
    )
    values = {
        "hall_id": str(hall.pk),
        "window_id": str(window.pk),
        "ticket_id": str(taken.ticket.pk),
        "key": "not-the-ticket-key",
        "point_id": str(point.pk),
        "case_id": str(case.pk),
        "number": case.number,
        "token": "no-such-token",
        "site_id": str(gas.site.pk),
        "identifier": "WALK-1",
        "order_id": str(order.pk),
        "station": "TX-S01",
        "device_id": str(device.pk),
        "capture_id": str(job.capture_id) if job else "00000000-0000-4000-8000-000000000000",
        "fmt": "json",
        "content_type_id": "1",
        "object_id": "1",
        "url": "",
        "token_id": str(api_token_create(user=users["clerk"])[0].pk),
        "person": str(person.pk),
        "application": str(application.pk),
        "assessment": str(assessment.pk) if assessment else "999999",
        "institution": str(institution.pk),
        "insured": str(insured.pk) if insured else "999999",
        "talent": str(talent.pk),
        "user": str(users["clerk"].pk),
        "serial": "WALK-1",
        "item_code": "YB15",
        "peer": "330502",
        "region": WUTONG,
        "id": str(case.pk),
        "year": str(timezone.localdate().year),
        "building_id": str(building.pk),
        "plate": str(bike.plate),
        "meter": meter.code,
        "event_id": str(power_event.pk),
        "checklist": "gas_site",
        "target": f"gas_site:{gas.site.pk}",
        "inspection": str(check.pk),
        "round": str(patrol.pk),
    }
    tokens = {
        "other_admin": api_token_create(user=other_admin)[1],
        "no_role": api_token_create(user=no_role)[1],
    }
    return County(values, {"other_admin": other_admin, "no_role": no_role}, tokens)


# Which object a path's "pk" or "code" names, by the route it is in.
ROUTE_VALUES = [
    (r"^registry/people/", {"pk": "person"}),
    (r"^registry/organisations/", {"pk": "no_such"}),
    (r"^registry/sites/", {"pk": "no_such"}),
    (r"^accounts/users/", {"pk": "user"}),
    (r"^ltc/applications/", {"pk": "application"}),
    (r"^ltc/assessments/", {"pk": "assessment"}),
    (r"^ltc/institutions/", {"pk": "institution"}),
    (r"^ltc/insured/", {"pk": "insured"}),
    (r"^hall/network/items/", {"code": "item_code"}),
    (r"^gas/stations/", {"code": "station"}),
    (r"^federation/", {"code": "peer"}),
    (r"^open311/", {"code": "no_such"}),
    (r"^region/", {"code": "region"}),
    (r"ltc/assessments/\{", {"id": "assessment"}),
    (r"ltc/applications/\{", {"id": "application"}),
    (r"youth/", {"pk": "talent", "person_id": "talent"}),
    (r"^power/meters/", {"code": "meter"}),
    (r"^inspections/rounds/", {"pk": "round"}),
    (r"^inspections/", {"pk": "inspection", "code": "checklist"}),
]
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>|\{(?P<api>[^}]+)\}")


def _value(route: str, name: str, values: dict[str, str]) -> str:
    for pattern, names in ROUTE_VALUES:
        if name in names and re.search(pattern, route):
            return values.get(names[name], "999999")
    return values.get(name, "999999")


def fill(route: str, values: dict[str, str]) -> str | None:
    """The path of a route with 梧桐's records in its parameters; None for a regex route."""
    if route.startswith("admin/") and ("(?P" in route or "^" in route):
        return "/admin/"

    def one(match: re.Match[str]) -> str:
        name = match.group("name") or match.group("api")
        return _value(route, name, values)

    return (
        "/" + PARAMETER.sub(one, route).lstrip("/")
        if not route.startswith("/")
        else PARAMETER.sub(one, route)
    )


def _scope_free(route: str) -> bool:
    """Whether a route names no record of a region (no parameters, or only `SCOPE_FREE` ones)."""
    names = [m.group("name") or m.group("api") for m in PARAMETER.finditer(route)]
    return all(name in SCOPE_FREE for name in names)


def _request(client: Client, method: str, path: str, **headers: str) -> Any:
    if method == "GET":
        return client.get(path, headers=headers)
    return client.generic(method, path, data="{}", content_type="application/json", headers=headers)


def _page_refused(answer: Any, anonymous: bool) -> bool:
    if answer.status_code in REFUSED or answer.status_code == 405:
        return True
    if answer.status_code in (301, 302):
        target = answer.get("Location", "")
        return "/login/" in target or "/admin/login/" in target
    return anonymous and answer.status_code == 401


def test_every_page_refuses_another_town_a_user_without_the_role_and_the_anonymous(county):
    sql = table_counts_sql()
    routes = page_routes()
    assert len(routes) > 100  # the resolver was walked
    failures: list[str] = []
    visitors = {
        "other town": county.users["other_admin"],
        "no role": county.users["no_role"],
        "anonymous": None,
    }
    for who, user in visitors.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        before = counts(sql)  # each request's "after" is the next one's "before"
        for route in routes:
            if route in PUBLIC:
                continue
            path = fill(route, county.values)
            if path is None:
                continue
            own_scope = _scope_free(route) and user is not None
            for method in PAGE_METHODS:
                # Reading follows the region scope alone: a user without the module's role
                # reads their region's records; what they post must change nothing.
                reads_own = who == "no role" and method == "GET"
                answer = _request(client, method, path)
                after = counts(sql)
                changed, before = after != before, after
                if answer.status_code >= 500:
                    failures.append(f"{who} {method} {path}: {answer.status_code}")
                elif changed:
                    failures.append(
                        f"{who} {method} {path}: changed a table ({answer.status_code})"
                    )
                elif own_scope or reads_own or who == "no role":
                    continue  # one's own region's list, record or form; it changed nothing
                elif not _page_refused(answer, user is None):
                    failures.append(f"{who} {method} {path}: {answer.status_code}")
    assert not failures, "\n".join(failures)


def test_every_api_operation_refuses_another_town_a_user_without_the_role_and_the_anonymous(
    county,
):
    sql = table_counts_sql()
    operations = api_operations()
    assert len(operations) > 40  # the OpenAPI document was walked
    failures: list[str] = []
    visitors = {
        "other town": county.tokens["other_admin"],
        "no role": county.tokens["no_role"],
        "anonymous": None,
    }
    before = counts(sql)  # each request's "after" is the next one's "before"
    for who, token in visitors.items():
        client = Client(raise_request_exception=False)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for method, path, _names in operations:
            if path in PUBLIC_API:
                continue
            url = fill(path, county.values) or path
            # Reading follows the region scope alone (see the page walk).
            own_scope = (
                _scope_free(path) or (who == "no role" and method == "GET")
            ) and token is not None
            answer = _request(client, method, url, **headers)
            after = counts(sql)
            changed, before = after != before, after
            status = answer.status_code
            if status >= 500:
                failures.append(f"{who} {method} {url}: {status}")
            elif changed:
                failures.append(f"{who} {method} {url}: changed a table ({status})")
            elif token is None and status != 401:
                failures.append(f"{who} {method} {url}: {status}, not 401")
            elif own_scope or who == "no role":
                continue
            elif status not in REFUSED_API:
                failures.append(f"{who} {method} {url}: {status}")
    assert not failures, "\n".join(failures)
