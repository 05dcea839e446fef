"""The OpenAPI document tells the truth: schemathesis, with every one of its checks, over the
whole of /api/v1/openapi.json, against a seeded test county, finds nothing.

How it runs:
- One test seeds a small county (桐乡's regions, its county administrator, case categories and
  departments, a case, two halls with windows and a ticket, a gas network with a cylinder, a
  long-term-care application and assessment, a care institution) and then, for every operation
  of the document, runs schemathesis's explicit examples, its coverage cases (boundaries,
  missing and wrong-typed parameters) and a bounded number of fuzzed cases, positive and
  negative, with a fixed seed (derandomized). Every request goes to the Django app in-process
  (WSGI) as the county administrator (a bearer token), and every response passes all checks
  (server errors, status codes and content types and bodies as documented, valid data accepted,
  invalid data refused, authentication not ignored, unsupported methods refused, ...).
- Writes are fuzzed as well: the database is a test database, rolled back at the end.
- Path ids are real rows half of the time (a generated id is mapped onto a seeded row), so that
  the checks see the 200s as well as the 404s.
- Nothing is excluded. No peer deployment is registered: the exchanges with a live peer are
  covered by tests/ltc/test_two_deployments_ltc.py; here every peer is unknown, which must be a
  404 with a reason (an unreachable peer would rightly be a 502, a gateway failure).

All findings of the run are listed together in the failure message.
"""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.specs.openapi.checks import positive_data_acceptance

from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.cases.services.intake import case_report
from jiceng.core.identifiers import make_credit_code, make_resident_id
from jiceng.core.models import Role, User
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.core.services.regions import region_import_csv
from jiceng.core.services.registries import person_create
from jiceng.ebike.services.registry import building_create, ebike_register
from jiceng.gas.services.registry import cylinder_register, station_create, user_site_register
from jiceng.hall.services.catalogue import catalogue_load
from jiceng.hall.services.network import hall_create, point_create, window_create
from jiceng.hall.services.queue import ticket_take, window_open
from jiceng.ltc.services.applications import application_apply
from jiceng.ltc.services.assessments import assessment_create_for_person
from jiceng.ltc.services.institutions import institution_create
from jiceng.power.services import dr_event_create, meter_create
from jiceng.youth.services import platform_create, talent_register
from tests.ltc.scores import sheet

REFERENCE = Path(__file__).resolve().parents[2] / "jiceng" / "reference"
SEED = 20261206
EXAMPLES_PER_OPERATION = 10

# Fields whose valid values no schema can state: they name records (a category, an item, a peer),
# are checked against the clock (not in the future) or against each other (the end after the
# start), or carry a check digit. A request that the schema allows may be refused with a 400 that
# names one of these fields, and only these: any other 400 on valid input is a finding ("*": any
# field of the operation's free-form data).
DATA_DEPENDENT: dict[str, dict[str, str]] = {
    "POST /api/v1/ebike/alerts": {
        "building": "a building of the caller's region",
        "at": "with its offset, not in the future",
    },
    "POST /api/v1/ebike/inspections": {
        "target": "a building or shop of the caller's region",
        "checklist": "an e-bike checklist",
        "findings": "every active item of the checklist, once",
        "inspected_at": "not in the future",
    },
    "POST /api/v1/ebike/bikes": {
        "plate": "a plate in the county's format, not registered yet",
        "frame_number": "a frame number in the county's format",
        "building": "a building of the caller's region",
        "bought_on": "not in the future",
        "battery.code": "a battery code in the county's format",
        "battery.voltage_v": "at most 60 V for a lithium battery claimed compliant",
    },
    "POST /api/v1/cases": {
        "category": "a category of the reference data",
        "region": "a region of the tree",
        "location": "a point inside the county, latitude and longitude together",
        "attributes": "the category's own questions",
    },
    "POST /api/v1/cases/{case_id}/actions": {
        "note": "some actions require a note",
        "department": "an active department",
        "duplicate_of": "another case of the county",
        "score": "given with the verification only",
    },
    "POST /api/v1/windows/{window_id}/groups": {"groups": "groups of the catalogue"},
    "POST /api/v1/halls/{hall_id}/tickets": {
        "item": "an item the hall handles (or an appointment)",
        "appointment": "a booking of today in this hall",
        "green_reason": "with the green channel only",
    },
    "POST /api/v1/tickets/{ticket_id}/transfer": {
        "group": "a group that a window of the hall serves",
        "groups": "a group of the catalogue",
    },
    "GET /api/v1/halls/{hall_id}/appointment-slots": {"item": "an item the hall handles"},
    "POST /api/v1/halls/{hall_id}/appointments": {
        "item": "an item the hall handles",
        "date": "a bookable day",
        "slot": "a slot start of that day",
    },
    "POST /api/v1/service-points/{point_id}/records": {
        "item": "an item the point handles",
        "started_at": "with its time zone",
        "ended_at": "after the start, not in the future, within 12 hours",
        "person": "a resident of the county",
        "organisation": "an organisation of the county",
    },
    "GET /api/v1/halls/{hall_id}/stats": {"from": "a period that starts before it ends"},
    "GET /api/v1/hall-network/stats": {"from": "a period that starts before it ends"},
    "GET /api/v1/service-circle": {"item": "an item of the catalogue"},
    "POST /api/v1/service-circle/travel-times": {"file": "CSV with the columns it names"},
    "POST /api/v1/ltc/assessments": {
        "person_id_number": "check character, province and birth date",
        "name": "required when the person is not registered",
        "region": "a region of the tree",
        "assessed_on": "not in the future, not expired",
        "scores": "the standard's 17 items and their options",
    },
    "POST /api/v1/ltc/assessments/{assessment_id}/share": {
        "peer": "a registered, enabled peer",
        "assessment": "current and effective",
    },
    "POST /api/v1/ltc/person-status": {
        "peer": "a registered peer",
        "id_number": "check character, province and birth date",
    },
    "POST /api/v1/ltc/federation/institutions/import": {"peer": "a registered, enabled peer"},
    "POST /api/v1/ltc/applications": {
        "person_id_number": "check character, province and birth date; one open application",
        "name": "required when the person is not registered",
        "region": "a region of the tree",
    },
    "POST /api/v1/ltc/applications/{application_id}/actions": {
        # A step's data has its own fields (assessor, scores by item, ...), named as they are.
        "*": "each step's own data, and the note some steps require",
    },
    "POST /api/v1/gas/cylinders": {
        "station": "a station in your region",
        "manufactured_on": "not in the future",
        "last_inspected_on": "between the manufacture date and today",
    },
    "GET /api/v1/gas/cylinders/{identifier}/fill-check": {"station": "your station, or name one"},
    "POST /api/v1/lottery/sales": {"__all__": "a CSV file of sales with its header and rows"},
    "POST /api/v1/lottery/prizes": {"game": "a game of the centre", "outlet": "an outlet"},
    "POST /api/v1/power/meters": {
        "code": "a code not registered yet",
        "enterprise": "an enterprise of your region",
        "region": "a region in your scope",
    },
    "POST /api/v1/power/meters/{meter}/readings": {
        "body": "a CSV of 15-minute readings time,kw with its header",
    },
    "GET /api/v1/power/meters/{meter}/cost": {"to": "a period that starts before it ends"},
    "POST /api/v1/power/dr/events": {
        "baseline": "a method of power-rules.json",
        "price_yuan_per_kwh": "not above the cap of the event's kind",
        "end": "after the start",
        "region": "a region in your scope",
    },
    "POST /api/v1/power/dr/events/{event_id}/commitments": {
        "meter": "a meter in the event's region",
    },
    "POST /api/v1/projects": {
        "region": "a region of the tree",
        "start_target": "not after the production target",
    },
    "PUT /api/v1/projects/{project_id}/milestones": {
        "*": "each milestone, named by its code: codes unique, predecessors known and without "
        "cycles, durations not negative, done dates not in the future nor before a predecessor's",
    },
    "POST /api/v1/youth/people": {
        "id_number": "check character, province and birth date; not in the reserve yet",
        "region": "a village or community of the tree",
    },
    "POST /api/v1/youth/people/{person_id}/steps": {
        "on": "not in the future, nor before the person's birth",
        "facts": "the facts the step needs (names or ids of registered people)",
    },
    "POST /api/v1/youth/activities": {
        "platform": "a platform the user organises",
        "participants": "young people of the county",
        "on": "not in the future",
        "hours": "counted to a tenth of an hour, at least 0.1",
    },
}


def _refused_fields(response: Any) -> set[str]:
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        return set()
    return set(errors) if isinstance(errors, dict) else set()


def positive_data_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's positive_data_acceptance, except for a 400 that names only fields of
    DATA_DEPENDENT for this operation."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        allowed = DATA_DEPENDENT.get(case.operation.label, {})
        fields = _refused_fields(response)
        if response.status_code == 400 and fields and ("*" in allowed or fields <= set(allowed)):
            return None
        raise


def _county_admin() -> User:
    """桐乡's regions (reference data) with a village of 梧桐, and its county administrator."""
    region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    region_import_csv(
        "code,name,level,parent,lat,lon\n330483001001,庆丰社区,village,330483001,30.63,120.56"
    )
    return user_create(
        username="admin", password=None, region_code="330483", roles=[Role.COUNTY_ADMIN]
    )


@pytest.fixture
def admin_token(db) -> str:
    return api_token_create(user=_county_admin())[1]


def _seed_county(admin: User) -> dict[str, list[Any]]:
    """Rows of every module, so that paths with ids reach real records. Returns real values
    for the path parameters, by name."""
    categories_load()
    departments_create(county_code="330483")
    case = case_report(
        actor=admin,
        category="ebike_parking",
        description="楼道里停着电动自行车",
        region_code="330483001001",
    )
    catalogue_load()
    point = point_create(
        actor=None,
        code="330483001-TC",
        name="梧桐街道便民服务中心",
        kind="town_center",
        region_code="330483001",
        lat=30.627,
        lon=120.566,
    )
    hall = hall_create(actor=None, point=point, name="梧桐医保大厅")
    windows = [
        window_create(actor=None, hall=hall, number=n, groups=groups)
        for n, groups in ((1, ["A"]), (2, ["A", "B"]), (3, ["C"]))
    ]
    window_open(actor=admin, window_id=windows[1].pk)
    taken = ticket_take(hall_id=hall.pk, item_code="YB01", actor=admin, source="counter")
    station = station_create(
        code="TX-S01", name="梧桐供应站", kind="supply", region_code="330483001"
    )
    site = user_site_register(
        actor=None,
        name="庆丰小吃店",
        kind="restaurant",
        region_code="330483001001",
        contact_phone="13800001111",
        station=station,
    )
    made = timezone.localdate() - timedelta(days=730)
    cylinder = cylinder_register(
        actor=None,
        identifier="TX0000001",
        manufactured_on=made,
        nominal_kg=15,
        last_inspected_on=made,
        station="TX-S01",
    )
    number = make_resident_id("330483", date(1941, 3, 5), 1, "F")
    person_create(actor=None, name="沈阿婆", id_number=number, region_code="330483001001")
    application = application_apply(actor=admin, person_id_number=number, care_mode="home")
    assessment = assessment_create_for_person(
        actor=admin,
        person_id_number=number,
        assessed_on=timezone.localdate() - timedelta(days=3),
        assessor="评估员甲",
        scores=sheet(20, 1, 12),
    )
    institution_create(
        actor=None,
        name="梧桐护理院",
        credit_code=make_credit_code("5", "2", "330483", 101),
        region_code="330483001",
        care_modes=["home", "institution"],
        beds=80,
        capacity=40,
    )
    talent = talent_register(
        actor=None,
        name="王青",
        id_number=make_resident_id("330483", date(2001, 4, 5), 2, "M"),
        region_code="330483001001",
        education="bachelor",
        background="villager",
    )
    platform_create(actor=None, name="梧桐反诈宣传队", kind="anti_fraud", region_code="330483001")
    meter = meter_create(
        actor=None, code="M-FUZZ", category="large_industry", flat_price="0.6", region="330483001"
    )
    power_event = dr_event_create(
        actor=None,
        day=date(2026, 8, 10),
        start=time(14, 0),
        end=time(16, 0),
        kind="peak_shaving",
        baseline="recent_workdays",
        price_yuan_per_kwh=Decimal("4"),
        region="330483",
    )
    building = building_create(
        actor=None, name="庆丰小区1幢", region_code="330483001001", floors=18, height_m=54
    )
    bike = ebike_register(
        actor=None,
        plate="桐乡A12345",
        frame_number="TX2025A0001234",
        standard="GB17761-2024",
        bought_on=None,
        building=building.pk,
    )
    return {
        "case_id": [case.pk],
        "building_id": [building.pk],
        "plate": [bike.plate],
        "hall_id": [hall.pk],
        "window_id": [w.pk for w in windows],
        "ticket_id": [taken.ticket.pk],
        "point_id": [point.pk],
        "identifier": [cylinder.identifier.rsplit(":", 1)[-1]],
        "site_id": [site.pk],
        "assessment_id": [assessment.pk],
        "application_id": [application.pk],
        "code": ["330483", "330483001", "330483001001"],
        "meter": [meter.code],
        "event_id": [power_event.pk],
        "person_id": [talent.pk],
    }


@pytest.fixture
def wsgi_app():
    """The Django app as a server runs it, except that requests do not close the test's
    database connection at their start and end (as in Django's test client)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_schemathesis_finds_nothing_in_the_api(settings, wsgi_app):
    settings.JICENG_REGION_CODE = "330483"
    admin = _county_admin()
    real = _seed_county(admin)
    headers = {"Authorization": f"Bearer {api_token_create(user=admin)[1]}"}
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "database": "none",
                "no-shrink": True,
                # The county administrator's token authenticates every request; generated
                # kiosk keys would be wrong keys sent alongside a right token.
                "with-security-parameters": False,
                "mode": "all",
            },
            "checks": {"enabled": True},
            "headers": headers,
        }
    )
    load_all_checks()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app, config=config)
    project = schema.config
    findings: list[str] = []
    pick = itertools.count()

    def run(case: Any) -> None:
        mode = case.meta.generation.mode if case.meta else None
        if mode is not None and mode.is_positive:
            for name, value in list((case.path_parameters or {}).items()):
                if name in real and next(pick) % 2 == 0:
                    case.path_parameters[name] = real[name][hash(str(value)) % len(real[name])]
        case.call_and_validate(
            headers=headers,
            excluded_checks=[positive_data_acceptance],
            additional_checks=[positive_data_accepted],
        )

    for result in schema.get_all_operations():
        operation = result.ok()
        test = build_operation_test(
            config=project,
            operation=operation,
            test_func=run,
            given_kwargs={},
            feedback=FeedbackSources(),
        )
        try:
            test()
        except (Exception, BaseExceptionGroup) as exc:  # every finding, not only the first
            findings.append(f"{operation.label}:\n{exc}")
    assert not findings, f"{len(findings)} operations with findings:\n\n" + "\n\n".join(findings)


# --- the findings of the first run, as plain regressions ----------------------------------------


@pytest.mark.django_db
def test_a_huge_page_number_of_the_case_list_is_a_400_not_a_500(client, admin_token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {admin_token}"}

    answer = client.get("/api/v1/cases", {"page": 10**20}, **auth)

    assert answer.status_code == 400, answer.content
    assert "page" in answer.json()["detail"]
    assert client.get("/api/v1/cases", {"page": 10_000}, **auth).status_code == 200


@pytest.mark.django_db
def test_importing_institutions_from_an_unknown_peer_is_a_400_naming_the_peer(
    client, admin_token, settings
):
    from jiceng.federation.models import MessageLog, Refusal
    from jiceng.ltc.models import SharedInstitution

    settings.JICENG_REGION_CODE = "330483"
    tables = (SharedInstitution, MessageLog, Refusal)
    before = [t.objects.count() for t in tables]

    answer = client.post(
        "/api/v1/ltc/federation/institutions/import",
        {"peer": "330502"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {admin_token}",
    )

    assert answer.status_code == 400, answer.content
    assert set(answer.json()["errors"]) == {"peer"}
    assert [t.objects.count() for t in tables] == before


def test_every_operation_documents_its_errors_with_the_one_error_schema():
    from jiceng.api.root import api

    document = api.get_openapi_schema()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = {str(k): v for k, v in operation["responses"].items()}
            if operation.get("security"):
                assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            for status, response in responses.items():
                if status.startswith("4") and path != "/api/v1/federation/messages":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_no_two_api_schemas_share_a_name():
    """The document names a schema by its class: a second class of the same name in another
    router replaces the first one in the document (case categories were once described by the
    lottery's CategoryOut)."""
    import importlib
    import inspect
    import pkgutil

    from pydantic import BaseModel

    import jiceng.api

    modules_of: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(jiceng.api.__path__):
        module = importlib.import_module(f"jiceng.api.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseModel) and cls.__module__ == module.__name__:
                modules_of.setdefault(name, set()).add(module.__name__)
    assert {name: found for name, found in modules_of.items() if len(found) > 1} == {}
