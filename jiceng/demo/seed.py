"""Seeding the demo county (`jiceng seed`, `jiceng demo`) and deleting it again (`--reset`).

The same seed gives the same county: regions, boundaries, organisations with their credit
codes, sites with their QR tokens, residents with their ID numbers, and the primary keys of all
of them (on an empty database). Only what is random by design differs: the nonce inside each
sealed ID number, the password hashes and the creation timestamps. The history that follows
(a year of cases, months of hall tickets) ends on the day of seeding, so that the demo looks
current: the same seed on the same day gives the same history.

Speed: everything is planned in memory first and written with bulk_create in large batches,
in one transaction. django-auditlog records creations through save signals, which bulk_create
does not send, so seeded organisations, sites and residents leave no audit entries; the
regions (imported through the region service, row by row) and the demo users (created through
the account service) do. That is fine for synthetic data, and keeps a million residents fast.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from jiceng.core.caching import forget_all as forget_process_caches
from jiceng.core.models import ApiToken, Organisation, Person, Region, Role, Site, User, UserRole
from jiceng.core.services.accounts import user_create
from jiceng.core.services.regions import (
    RegionRow,
    parse_region_csv,
    region_import_boundaries,
    region_import_rows,
)
from jiceng.demo.cases import seed_cases
from jiceng.demo.deployment import (
    default_county,
    deployment_users,
    plan_deployment,
    seedable_counties,
    user_description,
)
from jiceng.demo.ebike import demo_ebike_delete, seed_ebike
from jiceng.demo.gas import demo_gas_delete, seed_gas
from jiceng.demo.hall.seed import demo_hall_delete, seed_hall
from jiceng.demo.lottery import demo_lottery_delete, seed_lottery
from jiceng.demo.ltc import seed_ltc
from jiceng.demo.organisations import plan_organisations
from jiceng.demo.power import demo_power_delete, seed_power
from jiceng.demo.profile import REGIONS_FILE, SCALES
from jiceng.demo.projects import seed_projects
from jiceng.demo.region_tree import RegionTree
from jiceng.demo.residents import plan_residents, resident_batches
from jiceng.demo.sites import SiteBook
from jiceng.demo.youth import demo_youth_delete, seed_youth

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BULK_BATCH_SIZE = 2_000
RESIDENT_BATCH_SIZE = 50_000
DEMO_PASSWORD = "jiceng-demo"  # noqa: S105 - printed for everyone by `make demo`


class SeedRefused(Exception):
    """Seeding would overwrite data; the message says why and what to do."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    region: str
    role: str
    description: StrOrPromise
    organisation: str = ""  # name of the organisation they work for, if any
    superuser: bool = False


DEMO_USERS = [
    DemoUser(
        "admin",
        "桐乡市管理员",
        "330483",
        Role.COUNTY_ADMIN,
        gettext_lazy("County administrator of 桐乡市 (330483); also superuser of /admin/"),
        superuser=True,
    ),
    DemoUser(
        "wutong",
        "梧桐街道干部",
        "330483001",
        Role.TOWN_OFFICER,
        gettext_lazy("Town officer of 梧桐街道 (330483001)"),
    ),
    DemoUser(
        "wutongadmin",
        "梧桐街道管理员",
        "330483001",
        Role.TOWN_ADMIN,
        gettext_lazy("Town administrator of 梧桐街道 (330483001): every module and its users"),
    ),
    DemoUser(
        "puyuan",
        "濮院镇干部",
        "330483101",
        Role.TOWN_OFFICER,
        gettext_lazy("Town officer of 濮院镇 (330483101)"),
    ),
    DemoUser(
        "village",
        "社区工作者",
        "330483101001",
        Role.VILLAGE_WORKER,
        gettext_lazy("Village worker of the first community of 濮院镇 (330483101001)"),
    ),
    DemoUser(
        "grid",
        "网格员",
        "330483101001001",
        Role.GRID_WORKER,
        gettext_lazy("Grid worker of that community's first grid (330483101001001)"),
    ),
    DemoUser(
        "handler",
        "医保局经办人",
        "330483",
        Role.DEPARTMENT_HANDLER,
        gettext_lazy("Department handler at 桐乡市医疗保障局"),
        organisation="桐乡市医疗保障局",
    ),
    DemoUser(
        "xiaofang",
        "濮院消防工作站",
        "330483101",
        Role.DEPARTMENT_HANDLER,
        gettext_lazy("Department handler at 濮院镇消防工作站: handles e-bike and fire cases"),
    ),
    DemoUser(
        "shichang",
        "市场监管局执法员",
        "330483",
        Role.DEPARTMENT_HANDLER,
        gettext_lazy("Department handler at 桐乡市市场监督管理局: non-compliant e-bike sales"),
    ),
    DemoUser(
        "jiaojing",
        "交警大队民警",
        "330483",
        Role.DEPARTMENT_HANDLER,
        gettext_lazy("Department handler at 桐乡市公安局交警大队: modified e-bikes"),
    ),
    DemoUser(
        "clerk",
        "医保中心窗口",
        "330483",
        Role.WINDOW_CLERK,
        gettext_lazy("Window clerk at 桐乡市医疗保障服务中心 (reads ID numbers)"),
        organisation="桐乡市医疗保障服务中心",
    ),
    DemoUser(
        "regulator",
        "监管员",
        "330483",
        Role.REGULATOR,
        gettext_lazy("Regulator of 桐乡市, read-only"),
    ),
    DemoUser(
        "ranqi",
        "燃气公司管理员",
        "330483",
        Role.GAS_MANAGER,
        gettext_lazy("Gas company manager of 桐乡市: stations, staff, scale devices"),
    ),
    DemoUser(
        "qizhan",
        "梧桐供应站站员",
        "330483001",
        Role.STATION_STAFF,
        gettext_lazy("Staff of the 梧桐街道 supply station: fills, deliveries, phone orders"),
    ),
    DemoUser(
        "songqi",
        "梧桐送气工",
        "330483001",
        Role.DELIVERY_WORKER,
        gettext_lazy("Delivery worker of the 梧桐街道 supply station: delivers by scanning"),
    ),
    DemoUser(
        "kehu",
        "供电所客户经理",
        "330483",
        Role.ACCOUNT_MANAGER,
        gettext_lazy("Power account manager of 桐乡市: meters, enterprises' plans, advice letters"),
    ),
    DemoUser(
        "diaodu",
        "电力调度员",
        "330483",
        Role.POWER_DISPATCHER,
        gettext_lazy("Power dispatcher of 桐乡市: demand-response events and the summer page"),
    ),
    DemoUser(
        "qiye",
        "棉纺厂联系人",
        "330483101",
        Role.ENTERPRISE_CONTACT,
        gettext_lazy("Contact of a 濮院镇 cotton mill: sees its meters, its plan and its letter"),
    ),
    DemoUser(
        "fucai",
        "福彩中心工作人员",
        "330483",
        Role.LOTTERY_STAFF,
        gettext_lazy("Welfare-lottery centre staff of 桐乡市 (outlets, sales, fund, report)"),
    ),
    DemoUser(
        "zuzhi",
        "桐乡市委组织部",
        "330483",
        Role.PARTY_ORGANISER,
        gettext_lazy("Party organisation officer of 桐乡市: the youth talent reserve's pipeline"),
    ),
    DemoUser(
        "shuji",
        "濮院社区支部书记",
        "330483101001",
        Role.BRANCH_SECRETARY,
        gettext_lazy("Branch secretary of 濮院镇's first community: its young people's steps"),
    ),
    DemoUser(
        "daoshi",
        "濮院结对导师",
        "330483101",
        Role.MENTOR,
        gettext_lazy("Mentor (结对导师) of young people of 濮院镇"),
    ),
    DemoUser(
        "qingmiao",
        "青苗",
        "330483101001",
        Role.YOUTH,
        gettext_lazy("A young talent of 濮院镇's first community: their own page only"),
    ),
    DemoUser(
        "wuye",
        "庆丰物业管理员",
        "330483001001",
        Role.PROPERTY_MANAGER,
        gettext_lazy("Property manager in 梧桐街道's first community: its buildings, lift alerts"),
    ),
    DemoUser(
        "chehang",
        "梧桐电动车行店主",
        "330483001",
        Role.EBIKE_SHOP,
        gettext_lazy("Owner of an e-bike shop in 梧桐街道: sales, trade-ins and repairs"),
    ),
]

# (username, password, description), as `jiceng demo` prints them.
DEMO_LOGINS: list[tuple[str, str, StrOrPromise]] = [
    (u.username, DEMO_PASSWORD, u.description) for u in DEMO_USERS
]


def demo_users_for(county: str) -> list[DemoUser]:
    """The demo users of the deployment of `county` (the demo county's, or those that
    profile.json lists for another county of the agreement)."""
    if county == default_county():
        return DEMO_USERS
    specs = deployment_users(county)
    names = dict(
        Region.objects.filter(code__in=[s["region"] for s in specs]).values_list("code", "name")
    )
    return [
        DemoUser(
            username=spec["username"],
            display_name=spec["display_name"],
            region=spec["region"],
            role=spec["role"],
            description=user_description(spec, names.get(spec["region"], spec["region"])),
            organisation=spec.get("organisation", ""),
            superuser=bool(spec.get("superuser", False)),
        )
        for spec in specs
    ]


def demo_logins_for(county: str) -> list[tuple[str, str, StrOrPromise]]:
    return [(u.username, DEMO_PASSWORD, u.description) for u in demo_users_for(county)]


def database_has_data() -> bool:
    """Whether the registries hold anything (regions, people or organisations)."""
    return Region.objects.exists() or Person.objects.exists() or Organisation.objects.exists()


def seed_demo(
    *, scale: str, seed: int, reset: bool, progress: bool, county: str | None = None
) -> str:
    """Build the demo county and return a one-paragraph summary of what was made.

    `county` (default: the demo county, 桐乡市) may name another county of the agreement
    (jiceng/demo/deployment.py) to seed as a deployment of its own.

    Refuses (SeedRefused) when the database holds data, unless `reset`, which deletes the demo
    data first (see `demo_data_delete`) in the same transaction: if seeding fails, nothing changes.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    county = county or default_county()
    if county not in seedable_counties():
        raise SeedRefused(
            _("County %(county)s cannot be seeded; choose one of %(choices)s.")
            % {"county": county, "choices": ", ".join(seedable_counties())}
        )
    started = time.monotonic()
    with transaction.atomic():
        if database_has_data():
            if not reset:
                raise SeedRefused(
                    _(
                        "The database already holds data (%(regions)s regions, %(people)s "
                        "people, %(organisations)s organisations), so the demo county was not "
                        "seeded. Seed with --reset to delete that data first."
                    )
                    % {
                        "regions": f"{Region.objects.count():,}",
                        "people": f"{Person.objects.count():,}",
                        "organisations": f"{Organisation.objects.count():,}",
                    }
                )
            demo_data_delete()
        counts = _seed(scale=scale, seed=seed, progress=progress, county=county)
    counts["seconds"] = time.monotonic() - started
    if county != default_county():
        return _summary_other(scale=scale, seed=seed, counts=counts)
    return _summary(scale=scale, seed=seed, counts=counts)


def _next_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def _seed(*, scale: str, seed: int, progress: bool, county: str) -> dict[str, Any]:
    reference_rows = parse_region_csv(REGIONS_FILE.read_text(encoding="utf-8"))
    plan = plan_deployment(county=county, scale=scale, reference_rows=reference_rows, seed=seed)
    tree, profile, size = plan.tree, plan.profile, plan.scale
    sites = SiteBook(next_id=_next_id(Site), rng=np.random.default_rng([seed, 5]))
    organisations = plan_organisations(
        tree, profile, size, seed, first_organisation_id=_next_id(Organisation), sites=sites
    )
    residents = plan_residents(tree, profile, size.residents, seed)
    region_rows = reference_rows + tree.synthetic_rows()

    bar = tqdm(
        total=len(region_rows) + len(organisations.organisations) + residents.count,
        unit=" rows",
        unit_scale=True,
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    with bar:
        bar.set_description(_("Regions"))
        _write_regions(tree, region_rows)
        bar.update(len(region_rows))

        bar.set_description(_("Organisations"))
        Organisation.objects.bulk_create(organisations.organisations, batch_size=BULK_BATCH_SIZE)
        Site.objects.bulk_create(organisations.sites, batch_size=BULK_BATCH_SIZE)
        bar.update(len(organisations.organisations))

        bar.set_description(_("Residents"))
        dwellings = people = 0
        for batch in resident_batches(
            residents,
            tree,
            seed,
            sites=sites,
            first_person_id=_next_id(Person),
            batch_size=RESIDENT_BATCH_SIZE,
        ):
            Site.objects.bulk_create(batch.dwellings, batch_size=BULK_BATCH_SIZE)
            Person.objects.bulk_create(batch.people, batch_size=BULK_BATCH_SIZE)
            dwellings += len(batch.dwellings)
            people += len(batch.people)
            bar.update(len(batch.people))

        bar.set_description(_("Users"))
        users = _create_demo_users(organisations.organisations, demo_users_for(county))
        _reset_id_sequences()

    hall: dict[str, Any] = {}
    if size.hall_months:
        hall = seed_hall(seed=seed, months=size.hall_months, as_of=timezone.localdate())
    cases = 0
    if size.cases_per_year:
        cases = seed_cases(
            seed=seed, per_year=size.cases_per_year, as_of=timezone.localdate(), progress=progress
        )
    ltc = seed_ltc(county=county, rng_seed=seed)
    # Key projects of the first town (党建+项目): needs the case departments seeded with cases.
    projects = seed_projects(county=county, seed=seed) if size.cases_per_year else {}
    # The gas network of the demo county (not at the test scales: 20,000 sites take seconds).
    if size.gas and county == default_county():
        seed_gas(seed=seed, as_of=timezone.localdate(), county=county)
    # The welfare-lottery centre's records (3,000 outlets, 2023-2025), at the demo scale only.
    if size.gas and county == default_county():
        seed_lottery(seed=seed, county=county)
    # E-bike fire safety, summer peak load and the youth talent reserve, at the demo scale only.
    if size.gas and county == default_county():
        seed_ebike(seed=seed, county=county)
    if size.gas and county == default_county():
        seed_power(seed=seed, county=county)
    if size.gas and county == default_county():
        seed_youth(seed=seed, county=county)

    kinds = organisations.count_by_kind()
    site_kinds = Counter(s.kind for s in organisations.sites)
    return {
        "regions": len(region_rows),
        "towns": len(tree.towns),
        "villages": len(tree.villages),
        "grids": sum(len(v.children) for v in tree.villages),
        "neighbour": tree.neighbour.name,
        "neighbour_towns": len(tree.neighbour.children),
        "organisations": len(organisations.organisations),
        "enterprises": kinds[Organisation.Kind.ENTERPRISE],
        "individual_businesses": kinds[Organisation.Kind.INDIVIDUAL_BUSINESS],
        "bank_outlets": kinds[Organisation.Kind.BANK_OUTLET],
        "sites": len(organisations.sites) + dwellings,
        "service_points": site_kinds[Site.Kind.SERVICE_POINT],
        "dwellings": dwellings,
        "people": people,
        "users": users,
        "cases": cases,
        "tickets": hall.get("tickets", 0),
        "county_name": tree.county.name,
        "ltc": ltc,
        "projects": projects.get("projects", 0),
    }


def _write_regions(tree: RegionTree, rows: list[RegionRow]) -> None:
    """Through the region service, as an operator's import would: rows, then boundaries."""
    region_import_rows(rows)
    features = [
        {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
        for code, geometry in tree.boundaries().items()
    ]
    region_import_boundaries(json.dumps({"type": "FeatureCollection", "features": features}))


def _create_demo_users(organisations: list[Organisation], users: list[DemoUser]) -> int:
    """The demo users, through the account service. They share one published password, so it
    is hashed once (Argon2 takes a noticeable fraction of a second per hash)."""
    by_name = {o.name: o.pk for o in organisations}
    created = []
    for spec in users:
        user = user_create(
            username=spec.username,
            password=None,
            region_code=spec.region,
            roles=[spec.role],
            display_name=spec.display_name,
            is_superuser=spec.superuser,
        )
        created.append(user.pk)
        if spec.organisation in by_name:
            User.objects.filter(pk=user.pk).update(organisation_id=by_name[spec.organisation])
    User.objects.filter(pk__in=created).update(password=make_password(DEMO_PASSWORD))
    return len(created)


def _reset_id_sequences() -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's sequences past them (SQLite's
    AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Organisation, Site, Person])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _summary(*, scale: str, seed: int, counts: dict[str, Any]) -> str:
    numbers = {k: f"{v:,}" if isinstance(v, int) else v for k, v in counts.items()}
    return _(
        "Seeded the demo county (scale %(scale)s, seed %(seed)s) in %(seconds).1f s: "
        "%(regions)s regions, among them %(towns)s towns, %(villages)s villages and communities "
        "and %(grids)s grids of 桐乡市, and %(neighbour)s with %(neighbour_towns)s towns; "
        "%(organisations)s organisations, among them %(enterprises)s enterprises, "
        "%(individual_businesses)s individual businesses and %(bank_outlets)s bank outlets; "
        "%(sites)s sites, among them %(service_points)s service points and %(dwellings)s "
        "dwellings; %(people)s residents; %(cases)s cases of the past year; %(tickets)s hall "
        "tickets; and %(users)s demo "
        "users (password %(password)s)."
    ) % {**numbers, "scale": scale, "seed": seed, "password": DEMO_PASSWORD}


def _summary_other(*, scale: str, seed: int, counts: dict[str, Any]) -> str:
    numbers = {k: f"{v:,}" if isinstance(v, int) else v for k, v in counts.items()}
    return _(
        "Seeded %(county_name)s as a deployment of its own (scale %(scale)s, seed %(seed)s) in "
        "%(seconds).1f s: %(regions)s regions, among them %(towns)s towns, %(villages)s "
        "villages and communities and %(grids)s grids, and %(neighbour)s with "
        "%(neighbour_towns)s towns as its neighbour; %(organisations)s organisations; "
        "%(sites)s sites; %(people)s residents; and %(users)s demo users (password "
        "%(password)s)."
    ) % {**numbers, "scale": scale, "seed": seed, "password": DEMO_PASSWORD}


# --- Reset ---------------------------------------------------------------------------------

DEMO_MODELS: tuple[type[models.Model], ...] = (Person, Site, Organisation, Region)


def demo_data_delete() -> None:
    """Delete the demo county: residents, sites, organisations, regions, the users placed in a
    region (with their roles and API tokens), and the audit entries about all of them.

    Rows of other tables that point at these go first (or lose the reference, where it is
    nullable with SET_NULL), through the ORM so that their own cascades apply; a deletion that
    PROTECT blocks is retried once the rows protecting it are gone. The four big tables are then
    emptied with plain DELETE statements: deleting a million residents through the ORM would
    load each one and send its signals. Users without a region (an operator's own superuser,
    say) stay.
    """
    user_type = ContentType.objects.get_for_model(User)
    demo_gas_delete()  # gas sites, stations and ledger events refer to regions and sites
    demo_lottery_delete()  # outlets, sales, prizes and grants refer to regions
    demo_ebike_delete()  # buildings, bikes, shops and facilities refer to regions
    demo_power_delete()  # meters and plans refer to enterprises
    demo_youth_delete()  # young people's records refer to people and regions
    demo_hall_delete()  # service points hold protected references to regions and sites
    with transaction.atomic(), disable_auditlog():
        doomed_users = list(User.objects.filter(region__isnull=False).values_list("pk", flat=True))
        _release_references(
            [(model, relation) for model in DEMO_MODELS for relation in _references_to(model)]
        )
        with connection.cursor() as cursor:
            for model in DEMO_MODELS:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's own table name
        registry_types = [ContentType.objects.get_for_model(m) for m in DEMO_MODELS]
        registry_types += [ContentType.objects.get_for_model(m) for m in (UserRole, ApiToken)]
        LogEntry.objects.filter(content_type__in=registry_types).delete()
        for start in range(0, len(doomed_users), 500):
            LogEntry.objects.filter(
                content_type=user_type, object_id__in=doomed_users[start : start + 500]
            ).delete()
    # The case engine keeps who dispatches and how categories route for a few seconds; those
    # users and departments are gone, and a case reported by the next seed must not reach them.
    forget_process_caches()


def _references_to(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    """Relations from other tables to `model`, hidden ones included (`related_name="+"`,
    many-to-many link tables), as Django's own deletion collector sees them."""
    found = []
    for relation in model._meta.get_fields(include_hidden=True):
        if not (
            isinstance(relation, models.ForeignObjectRel)
            and relation.auto_created
            and not relation.concrete
            and (relation.one_to_many or relation.one_to_one)
        ):
            continue
        other = relation.related_model
        if isinstance(other, type) and issubclass(other, models.Model) and other not in DEMO_MODELS:
            found.append(relation)
    return found


def _release_references(pending: list[tuple[type[models.Model], models.ForeignObjectRel]]) -> None:
    """Delete (or detach, for SET_NULL) the rows that point at the demo tables, retrying the
    deletions that PROTECT blocks until nothing is left or no step makes progress."""
    while pending:
        blocked: list[tuple[type[models.Model], models.ForeignObjectRel]] = []
        last_error: Exception | None = None
        for model, relation in pending:
            other = relation.related_model
            assert isinstance(other, type) and issubclass(other, models.Model)
            name = relation.field.name
            pointing = other._base_manager.filter(**{f"{name}__isnull": False})
            try:
                with transaction.atomic():
                    if relation.on_delete is models.SET_NULL:
                        pointing.update(**{name: None})
                    else:
                        pointing.delete()
            except (ProtectedError, RestrictedError) as exc:
                blocked.append((model, relation))
                last_error = exc
        if len(blocked) == len(pending):
            assert last_error is not None
            raise last_error
        pending = blocked
