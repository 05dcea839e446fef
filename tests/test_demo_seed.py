"""The synthetic demo county: what `jiceng seed` builds, that a seed always builds the same
county, and that seeding never overwrites data unless asked to."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter, defaultdict

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import translation
from shapely.geometry import Point, shape

from jiceng.cases.models import Case
from jiceng.cli import main
from jiceng.core.identifiers import validate_credit_code, validate_resident_id
from jiceng.core.models import ApiToken, Organisation, Person, Region, Site, User, UserRole
from jiceng.core.scope import region_prefix_q
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.core.services.registries import person_fields_for_bulk, person_reveal_id_number
from jiceng.demo.profile import SCALES
from jiceng.demo.seed import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    SeedRefused,
    database_has_data,
    demo_data_delete,
    seed_demo,
)
from jiceng.gas.models import Cylinder
from jiceng.hall.models import Ticket
from jiceng.ltc.models import Application
from tests.databases import TEST_COUNTY, TEST_COUNTY_SEED, cloned_database, seed_test_county

COUNTY = "330483"
NEIGHBOUR = "330502"
# The 11 towns and streets of 桐乡市 with their statistical codes (as in the reference file).
TOWNS = {
    "330483001": "梧桐街道",
    "330483003": "凤鸣街道",
    "330483004": "高桥街道",
    "330483100": "乌镇镇",
    "330483101": "濮院镇",
    "330483102": "屠甸镇",
    "330483103": "石门镇",
    "330483104": "河山镇",
    "330483105": "洲泉镇",
    "330483106": "大麻镇",
    "330483107": "崇福镇",
}
INDUSTRIAL_AREAS = ("330483004", "330483101")  # 高桥街道, 濮院镇


def _under(code: str, level: str):
    return Region.objects.filter(level=level, code__startswith=code)


def county_fingerprint() -> str:
    """A digest of every seeded row except what is random by design (sealed IDs, timestamps,
    password hashes)."""
    digest = hashlib.sha256()

    def feed(rows) -> None:
        for row in rows:
            digest.update(json.dumps(row, sort_keys=True, default=str).encode())

    feed(
        Region.objects.order_by("code").values_list(
            "code", "name", "level", "parent_id", "prefix", "lat", "lon", "boundary"
        )
    )
    feed(
        Organisation.objects.order_by("pk").values_list(
            "pk",
            "name",
            "kind",
            "credit_code",
            "region_id",
            "industry",
            "address",
            "legal_representative",
            "phone",
            "employees",
        )
    )
    feed(
        Site.objects.order_by("pk").values_list(
            "pk",
            "name",
            "kind",
            "region_id",
            "address",
            "lat",
            "lon",
            "qr_token",
            "organisation_id",
        )
    )
    feed(
        Person.objects.order_by("pk").values_list(
            "pk",
            "name",
            "id_digest",
            "id_masked",
            "gender",
            "birth_date",
            "region_id",
            "phone",
            "address",
            "site_id",
        )
    )
    feed(
        User.objects.exclude(region=None)
        .order_by("username")
        .values_list(
            "username", "region_id", "organisation_id", "is_superuser", "role_grants__role"
        )
    )
    return digest.hexdigest()


_summaries: dict[str, str] = {}


@pytest.fixture(scope="class")
def demo_county(request, django_db_setup, django_db_blocker):
    """The demo county at the class's scale, seeded once per test process and cloned for the
    tests of the class (which only read it); the summary `jiceng seed` printed."""
    scale = request.cls.scale

    def build() -> None:
        with translation.override("en"):
            _summaries[scale] = seed_demo(scale=scale, seed=20260722, reset=False, progress=False)

    with django_db_blocker.unblock(), cloned_database(f"demo-{scale}", build):
        yield _summaries[scale]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_county")
class TestTheDemoCounty:
    """The registries of the demo county at the demo's volume (without its history and gas
    network, which the full seed of `TestTheFullDemoCounty` adds in `make test-slow`)."""

    scale = "registries"

    def test_the_summary_counts_what_was_made(self, demo_county):
        summary = demo_county
        assert "25,000 residents" in summary
        assert "59 bank outlets" in summary
        assert "221 villages and communities" in summary

    def test_it_has_the_eleven_real_towns_with_their_codes(self):
        towns = dict(Region.objects.filter(parent_id=COUNTY).values_list("code", "name"))
        assert towns == TOWNS
        assert Region.objects.get(code=COUNTY).name == "桐乡市"
        assert Region.objects.get(code=NEIGHBOUR).name == "吴兴区"

    def test_it_has_221_villages_and_communities_each_under_its_town(self):
        villages = list(_under(COUNTY, "village"))
        assert len(villages) == 221
        per_town = Counter(v.parent_id for v in villages)
        assert set(per_town) == set(TOWNS)
        assert per_town["330483001"] > per_town["330483106"]  # a street has more than 大麻镇
        for village in villages:
            assert len(village.code) == 12
            assert village.code[:9] == village.parent_id
            assert village.prefix == village.code
            if village.name.endswith("社区"):
                assert 1 <= int(village.code[9:]) < 200
            else:
                assert village.name.endswith("村")
                assert village.code[9] == "2"
            assert village.lat is not None and village.lon is not None
        assert len({v.name for v in villages}) == 221

    def test_grids_have_15_digit_codes_under_their_villages(self):
        grids = list(_under(COUNTY, "grid"))
        per_village = Counter(g.parent_id for g in grids)
        assert len(per_village) == 221
        assert min(per_village.values()) >= 3
        assert max(per_village.values()) <= 8
        for grid in grids:
            assert len(grid.code) == 15
            assert grid.code[:12] == grid.parent_id

    def test_the_neighbour_has_synthetic_towns_villages_and_grids(self):
        towns = list(_under(NEIGHBOUR, "town"))
        assert len(towns) == 5
        assert {t.code[:6] for t in towns} == {NEIGHBOUR}
        assert _under(NEIGHBOUR, "village").count() >= 5 * 6
        assert _under(NEIGHBOUR, "grid").count() >= 5 * 6 * 3
        assert not set(TOWNS.values()) & {t.name for t in towns}

    def test_boundaries_are_valid_polygons_and_nest(self):
        shapes = {}
        for region in Region.objects.filter(code__startswith="33").exclude(level="province"):
            if region.level == "city":
                continue
            assert region.boundary is not None, region.code
            geometry = shape(region.boundary)
            assert geometry.geom_type in ("Polygon", "MultiPolygon")
            assert geometry.is_valid, region.code
            assert geometry.area > 0
            shapes[region.code] = geometry
        # Coordinates are rounded to 5 decimals, so a shared edge may shift by a metre or two.
        for code, geometry in shapes.items():
            if len(code) > 6:
                parent = shapes[code[:-3] if len(code) > 9 else code[:6]]
                assert parent.buffer(2e-5).contains(geometry), code

    def test_the_towns_cells_do_not_overlap(self):
        for county in (COUNTY, NEIGHBOUR):
            towns = [shape(t.boundary) for t in _under(county, "town")]
            for a, b in itertools.combinations(towns, 2):
                assert a.intersection(b).area < 1e-9
            outline = shape(Region.objects.get(code=county).boundary)
            covered = sum(t.area for t in towns)
            assert covered == pytest.approx(outline.area, rel=0.02)

    def test_region_centres_lie_inside_their_boundaries(self):
        for region in Region.objects.filter(level__in=["village", "grid"]):
            assert shape(region.boundary).buffer(2e-5).contains(Point(region.lon, region.lat))

    def test_every_credit_code_is_valid_and_unique(self):
        codes = list(
            Organisation.objects.exclude(credit_code=None).values_list("credit_code", flat=True)
        )
        assert len(codes) == Organisation.objects.count()
        for code in codes:
            assert validate_credit_code(code) == code
        kinds = dict(
            Organisation.objects.values("kind").annotate(n=Count("pk")).values_list("kind", "n")
        )
        prefixes = Counter(c[:2] for c in codes)
        assert prefixes["92"] == kinds[Organisation.Kind.INDIVIDUAL_BUSINESS]
        assert prefixes["N2"] == kinds[Organisation.Kind.RURAL_COLLECTIVE]
        assert prefixes["93"] > 0 and prefixes["51"] + prefixes["52"] == kinds["social"]

    def test_every_id_number_is_valid_and_states_the_stored_facts(self):
        people = list(Person.objects.all())
        assert len(people) == 25_000
        numbers = set()
        for person in people:
            number = person_reveal_id_number(person)
            facts = validate_resident_id(number)
            assert (facts.gender, facts.birth_date) == (person.gender, person.birth_date)
            assert person.id_masked == number[:6] + "********" + number[14:]
            numbers.add(number)
        assert len(numbers) == len(people)
        local = sum(1 for n in numbers if n.startswith(COUNTY))
        assert 0.6 < local / len(numbers) < 0.95

    def test_residents_have_a_plausible_age_pyramid_and_households(self):
        years = Counter(p.birth_date.year for p in Person.objects.only("birth_date"))
        total = sum(years.values())
        elderly = sum(n for year, n in years.items() if year <= 1966)
        children = sum(n for year, n in years.items() if year >= 2012)
        assert 0.15 < elderly / total < 0.35
        assert 0.08 < children / total < 0.25
        households = defaultdict(list)
        for site_id, born in Person.objects.values_list("site_id", "birth_date"):
            households[site_id].append(born.year)
        assert all(min(years) <= 2006 for years in households.values())  # an adult in each
        assert 2.0 < total / len(households) < 3.2
        dwellings = Site.objects.filter(kind=Site.Kind.DWELLING)
        assert dwellings.count() == len(households)
        assert not Person.objects.exclude(region_prefix_q("33")).exists()
        assert not Person.objects.filter(region__level="village").exists()  # people live in grids

    def test_there_are_7000_enterprises_mostly_in_the_two_industrial_areas(self):
        enterprises = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
        total = enterprises.count()
        assert total >= 7000
        industrial = sum(
            enterprises.filter(region_prefix_q(town)).count() for town in INDUSTRIAL_AREAS
        )
        assert 0.5 < industrial / total < 0.7
        knitwear = enterprises.filter(region_prefix_q("330483101"), industry="毛衫").count()
        assert knitwear > enterprises.filter(region_prefix_q("330483101")).count() / 3
        assert enterprises.filter(name__startswith="桐乡市", name__endswith="有限公司").exists()

    def test_59_bank_outlets_serve_all_11_towns(self):
        outlets = Organisation.objects.filter(kind=Organisation.Kind.BANK_OUTLET)
        assert outlets.count() == 59
        assert {o.region_id[:9] for o in outlets} == set(TOWNS)
        assert outlets.filter(region_prefix_q("330483101"), name__endswith="濮院支行").exists()
        sites = Site.objects.filter(organisation__kind=Organisation.Kind.BANK_OUTLET)
        assert sites.filter(kind=Site.Kind.SERVICE_POINT).count() == 59

    def test_service_points_are_one_county_centre_eleven_town_centres_and_221_stations(self):
        points = Site.objects.filter(region_prefix_q(COUNTY), kind=Site.Kind.SERVICE_POINT)
        assert points.filter(region_id=COUNTY).count() == 1
        assert points.filter(region__level="town").count() == 11
        assert points.filter(region__level="village").count() == 221
        assert points.count() == 1 + 11 + 221 + 59

    def test_every_organisation_has_a_site_inside_its_region(self):
        sites = Site.objects.exclude(organisation=None).select_related("region")
        assert sites.count() == Organisation.objects.count()
        boundaries = {}
        for site in sites:
            region = site.region
            if region.code not in boundaries:
                boundaries[region.code] = shape(region.boundary).buffer(1e-5)
            assert boundaries[region.code].contains(Point(site.lon, site.lat)), site.name

    def test_departments_serve_the_county_and_every_town(self):
        departments = Organisation.objects.filter(
            kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.INSTITUTION]
        )
        for name in ("桐乡市医疗保障局", "桐乡市医疗保障服务中心", "桐乡市应急管理局"):
            assert departments.filter(name=name, region_id=COUNTY).exists()
        for code, town in TOWNS.items():
            assert departments.filter(name=f"{town}综合行政执法队", region_id=code).exists()
            assert departments.filter(name=f"{town}便民服务中心", region_id=code).exists()

    def test_the_demo_users_exist_with_their_regions_and_roles(self):
        expected = {
            "admin": (COUNTY, "county_admin"),
            "wutong": ("330483001", "town_officer"),
            "wutongadmin": ("330483001", "town_admin"),
            "puyuan": ("330483101", "town_officer"),
            "village": ("330483101001", "village_worker"),
            "grid": ("330483101001001", "grid_worker"),
            "handler": (COUNTY, "department_handler"),
            "xiaofang": ("330483101", "department_handler"),
            "shichang": (COUNTY, "department_handler"),
            "jiaojing": (COUNTY, "department_handler"),
            "clerk": (COUNTY, "window_clerk"),
            "regulator": (COUNTY, "regulator"),
            "ranqi": (COUNTY, "gas_manager"),
            "qizhan": ("330483001", "station_staff"),
            "songqi": ("330483001", "delivery_worker"),
            "kehu": (COUNTY, "account_manager"),
            "diaodu": (COUNTY, "power_dispatcher"),
            "qiye": ("330483101", "enterprise_contact"),
            "fucai": (COUNTY, "lottery_staff"),
            "zuzhi": (COUNTY, "party_organiser"),
            "shuji": ("330483101001", "branch_secretary"),
            "daoshi": ("330483101", "mentor"),
            "qingmiao": ("330483101001", "youth"),
            "wuye": ("330483001001", "property_manager"),
            "chehang": ("330483001", "ebike_shop"),
        }
        assert [login[0] for login in DEMO_LOGINS] == list(expected)
        for username, password, _what in DEMO_LOGINS:
            user = User.objects.get(username=username)
            region, role = expected[username]
            assert user.region_id == region
            assert list(user.role_grants.values_list("role", flat=True)) == [role]
            assert user.check_password(password)
            assert user.is_superuser == (username == "admin")
        assert User.objects.get(username="admin").is_staff
        clerk = User.objects.get(username="clerk")
        assert clerk.organisation is not None
        assert clerk.organisation.name == "桐乡市医疗保障服务中心"

    def test_seeding_again_is_refused_without_reset(self):
        assert database_has_data()
        before = Person.objects.count()
        with translation.override("en"), pytest.raises(SeedRefused, match="--reset"):
            seed_demo(scale="test", seed=1, reset=False, progress=False)
        assert Person.objects.count() == before


@pytest.mark.slow
class TestTheFullDemoCounty(TestTheDemoCounty):
    """What `make demo` seeds, whole: the registries as above, and the history of every module."""

    scale = "demo"

    def test_it_has_the_history_of_every_module(self, demo_county):
        assert "cases of the past year" in demo_county
        assert Case.objects.count() > 10_000
        assert Ticket.objects.count() > 10_000
        assert Cylinder.objects.count() > 10_000
        assert Application.objects.exists()


@pytest.fixture(scope="class")
def test_county(django_db_setup, django_db_blocker):
    """The shared test county (tests/databases.py), cloned for the tests of the class."""
    with django_db_blocker.unblock(), cloned_database(TEST_COUNTY, seed_test_county):
        yield


@pytest.mark.django_db
@pytest.mark.xdist_group(TEST_COUNTY)
@pytest.mark.usefixtures("test_county")
class TestSeedingOverTheTestCounty:
    def test_the_same_seed_builds_the_same_county_and_reset_replaces_it(self):
        first = county_fingerprint()  # seeded with TEST_COUNTY_SEED on an empty database
        admin = User.objects.get(username="admin")
        api_token_create(user=admin)
        operator = user_create(
            username="operator", password="op-secret-2026", region_code=COUNTY, roles=[]
        )
        operator.region = None
        operator.save(update_fields=["region"])

        seed_demo(scale="test", seed=TEST_COUNTY_SEED, reset=True, progress=False)
        assert county_fingerprint() == first
        assert not ApiToken.objects.exists()
        assert User.objects.filter(username="operator").exists()  # no region: not demo data

        seed_demo(scale="test", seed=TEST_COUNTY_SEED + 1, reset=True, progress=False)
        assert county_fingerprint() != first

    def test_reset_deletes_the_demo_data_and_its_audit_entries(self):
        assert LogEntry.objects.filter(object_repr__contains="桐乡市").exists()
        demo_data_delete()
        assert not database_has_data()
        assert not Site.objects.exists()
        assert not User.objects.exists()
        # Audit entries of reference data loaded along the way (the gas colour rules) may stay.
        demo_models = (Person, Site, Organisation, Region, User, UserRole, ApiToken)
        demo_types = [ContentType.objects.get_for_model(m) for m in demo_models]
        assert not LogEntry.objects.filter(content_type__in=demo_types).exists()
        assert not LogEntry.objects.filter(object_repr__contains="桐乡市").exists()


@pytest.mark.django_db
def test_seeding_twice_from_the_command_line_fails_the_second_time(capsys, monkeypatch):
    monkeypatch.setitem(SCALES, "demo", SCALES["test"])  # the command line, not the volume
    # Django is set up already; setting it up again would point logging at captured stderr.
    monkeypatch.setattr("jiceng.cli._setup_django", lambda: None)
    with translation.override("en"):
        assert main(["seed", "--seed", "5"]) == 0
        first = capsys.readouterr()
        assert "Seeded the demo county" in first.err
        assert main(["seed", "--seed", "5"]) == 2
    second = capsys.readouterr()
    assert "jiceng seed: The database already holds data" in second.err
    assert "--reset" in second.err


def test_bulk_person_fields_name_the_row_of_a_bad_or_repeated_number():
    good = "11010519491231002X"
    with translation.override("en"):  # the messages are matched in English
        with pytest.raises(ValidationError, match="Row 2"):
            person_fields_for_bulk([good, "110105194912310021"])
        with pytest.raises(ValidationError, match="Row 2 repeats the ID number of row 1"):
            person_fields_for_bulk([good, good.lower()])


def test_the_demo_password_is_what_make_demo_prints():
    assert {password for _user, password, _what in DEMO_LOGINS} == {DEMO_PASSWORD}
