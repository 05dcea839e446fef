"""The demo county's organisations and service points, planned in memory as unsaved rows with
their ids: departments of the county and its towns, bank outlets, enterprises (mostly in the two
industrial areas), farmer cooperatives, individual businesses, rural collectives and social
organisations, each with a site; and a service station in every village and community."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from jiceng.core.identifiers import make_credit_code
from jiceng.core.models import Organisation, Site
from jiceng.demo import names
from jiceng.demo.profile import CountyProfile, OrganisationTemplate, Scale
from jiceng.demo.region_tree import PlannedRegion, RegionTree
from jiceng.demo.sites import (
    SiteBook,
    landline_number,
    mobile_numbers,
    point_near_centre,
    points_in_region,
)

Kind = Organisation.Kind
# Unified social credit code: (registration authority, organisation type) by kind.
CREDIT_CODE_TYPE = {
    Kind.DEPARTMENT: ("1", "1"),  # 机构编制: 机关
    Kind.INSTITUTION: ("1", "2"),  # 机构编制: 事业单位
    Kind.ENTERPRISE: ("9", "1"),  # 市场监管: 企业
    Kind.BANK_OUTLET: ("9", "1"),  # a bank's branch is registered as an enterprise branch
    Kind.INDIVIDUAL_BUSINESS: ("9", "2"),  # 个体工商户
    Kind.RURAL_COLLECTIVE: ("N", "2"),  # 农业农村: village-level collective economic organisation
}
COOPERATIVE_CODE_TYPE = ("9", "3")  # 农民专业合作社
SOCIAL_AUTHORITY = "5"  # 民政; type 1 社会团体, 2 民办非企业单位
GENERAL_SHOPS = ("餐饮", "零售", "居民服务")
LARGE_COMPANY_EMPLOYEES = 300


@dataclass
class OrganisationPlan:
    organisations: list[Organisation] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)

    def count_by_kind(self) -> Counter[str]:
        return Counter(o.kind for o in self.organisations)


class _CreditCodes:
    """Unique credit codes from random serials (the organisation-code part)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[int] = set()

    def make(self, authority: str, kind: str, region6: str) -> str:
        serial = self.rng.randrange(10**7, 10**8)
        while serial in self.used:
            serial = self.rng.randrange(10**7, 10**8)
        self.used.add(serial)
        return make_credit_code(authority, kind, region6, serial)


@dataclass
class _Planner:
    tree: RegionTree
    profile: CountyProfile
    rng: random.Random
    np_rng: np.random.Generator
    sites: SiteBook
    next_id: int
    plan: OrganisationPlan = field(default_factory=OrganisationPlan)
    used_names: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.codes = _CreditCodes(self.rng)

    # -- helpers -----------------------------------------------------------------------

    def add(
        self,
        *,
        name: str,
        kind: str,
        region: PlannedRegion,
        industry: str,
        address: str,
        legal_representative: str = "",
        phone: str = "",
        employees: int | None = None,
        credit_code_type: tuple[str, str] | None = None,
        site_kind: str = Site.Kind.PREMISES,
        site_name: str = "",
        at: tuple[float, float] | None = None,
    ) -> Organisation:
        authority, type_code = credit_code_type or CREDIT_CODE_TYPE[Kind(kind)]
        county = self.tree.county_of(region.code)
        organisation = Organisation(
            id=self.next_id,
            name=name,
            kind=kind,
            credit_code=self.codes.make(authority, type_code, county.code[:6]),
            region_id=region.code,
            industry=industry,
            address=address,
            legal_representative=legal_representative,
            phone=phone,
            employees=employees,
        )
        self.next_id += 1
        self.used_names.add(name)
        lat, lon = at if at is not None else points_in_region(region, 1, self.np_rng)[0]
        self.plan.organisations.append(organisation)
        self.plan.sites.append(
            self.sites.make(
                name=site_name or name,
                kind=site_kind,
                region=region.code,
                address=address,
                lat=lat,
                lon=lon,
                organisation_id=organisation.id,
            )
        )
        return organisation

    def branded(self, pattern: str) -> str:
        """`pattern` with `{brand}` filled by a synthetic brand, unique among all names."""
        try:
            return names.unique_name(
                lambda: pattern.format(brand=names.brand(self.rng)), self.used_names
            )
        except RuntimeError:
            return names.unique_name(
                lambda: pattern.format(brand=names.brand(self.rng, length=3)), self.used_names
            )

    def street_address(self, town: PlannedRegion) -> str:
        county = self.tree.county_of(town.code)
        road = self.rng.choice(town.roads)
        return f"{self.tree.address_prefix(county)}{town.name}{road}{self.rng.randint(1, 999)}号"

    def representative(self) -> str:
        return names.person_name(
            self.rng, male=self.rng.random() < 0.7, birth_year=self.rng.randint(1955, 1995)
        )

    def area_code(self, region: PlannedRegion) -> str:
        county = self.tree.county_of(region.code)
        return (
            self.profile.area_code
            if county is self.tree.county
            else self.profile.neighbour.area_code
        )

    def landline(self, region: PlannedRegion) -> str:
        return landline_number(self.np_rng, self.area_code(region))

    def pick_grid(self, village: PlannedRegion) -> PlannedRegion:
        return self.rng.choice(village.children)

    def town_weights(self, attribute: str) -> np.ndarray:
        towns = self.tree.towns
        weights = np.array([getattr(self.profile.towns[t.code], attribute) for t in towns])
        return weights / weights.sum()

    # -- the parts ---------------------------------------------------------------------

    def public_bodies(self) -> None:
        county = self.tree.county
        seat = self.tree.seat_of(county)
        for template in self.profile.county_organisations:
            self.public_body(template, county, seat, template.name)
        for town in self.tree.towns:
            for template in self.profile.town_organisations:
                self.public_body(template, town, town, template.name.format(town=town.name))
        neighbour = self.tree.neighbour
        for template in self.profile.neighbour.organisations:
            self.public_body(template, neighbour, self.tree.seat_of(neighbour), template.name)

    def public_body(
        self, template: OrganisationTemplate, region: PlannedRegion, town: PlannedRegion, name: str
    ) -> None:
        service_point = template.service_point.format(town=town.name)
        centre = region if region.level == "town" else self.tree.seat_of(region)
        self.add(
            name=name,
            kind=template.kind,
            region=region,
            industry=template.industry,
            address=self.street_address(town),
            legal_representative=self.representative(),
            phone=self.landline(region),
            employees=self.rng.randint(15, 200),
            site_kind=Site.Kind.SERVICE_POINT if service_point else Site.Kind.PREMISES,
            site_name=service_point,
            at=point_near_centre(centre, self.np_rng),
        )

    def bank_outlets(self) -> None:
        towns = self.tree.towns
        least = self.profile.bank_outlets_per_town_at_least
        spare = self.profile.bank_outlets - least * len(towns)
        if spare < 0:
            raise ValueError("fewer bank outlets than towns times the minimum per town")
        weights = 0.5 * self.town_weights("population") + 0.5 * self.town_weights("enterprises")
        counts = [least + extra for extra in _apportion(spare, weights)]
        county_short = names.short_name(self.tree.county.name)
        for town, count in zip(towns, counts, strict=True):
            town_short = names.short_name(town.name)
            banks = self.rng.sample(self.profile.banks, min(count, len(self.profile.banks)))
            banks += self.rng.choices(self.profile.banks, k=count - len(banks))
            seen: Counter[str] = Counter()
            urban = [v for v in town.children if v.urban] or town.children
            for bank in banks:
                seen[bank] += 1
                prefix = bank if county_short in bank else bank + county_short
                name = f"{prefix}{town_short}支行"
                if seen[bank] > 1 or name in self.used_names:
                    roads = [r for r in town.roads if f"{prefix}{r}支行" not in self.used_names]
                    name = f"{prefix}{self.rng.choice(roads)}支行"
                village = self.rng.choice(urban)
                self.add(
                    name=name,
                    kind=Kind.BANK_OUTLET,
                    region=self.pick_grid(village),
                    industry="金融",
                    address=self.street_address(town),
                    legal_representative=self.representative(),
                    phone=self.landline(town),
                    employees=self.rng.randint(6, 40),
                    site_kind=Site.Kind.SERVICE_POINT,
                )

    def enterprises(self, count: int) -> None:
        towns = self.tree.towns
        county_name = self.tree.county.name
        province = names.short_name(self.tree.by_code[self.tree.county.code[:2] + "0000"].name)
        town_index = self.np_rng.choice(len(towns), size=count, p=self.town_weights("enterprises"))
        for index in town_index.tolist():
            town = towns[index]
            mix = self.profile.towns[town.code].industries
            industry = self.profile.industries[
                self.rng.choices(list(mix), weights=list(mix.values()))[0]
            ]
            employees = int(
                np.clip(self.np_rng.lognormal(math.log(industry.employees), 0.9), 1, 6000)
            )
            word = self.rng.choice(industry.words)
            if employees >= LARGE_COMPANY_EMPLOYEES:
                pattern = f"{province}{{brand}}{word}股份有限公司"
            elif self.rng.random() < 0.15:
                pattern = f"{county_name}{names.short_name(town.name)}{{brand}}{word}厂"
            else:
                pattern = f"{county_name}{{brand}}{word}有限公司"
            village = self.rng.choice(town.children)
            self.add(
                name=self.branded(pattern),
                kind=Kind.ENTERPRISE,
                region=self.pick_grid(village),
                industry=industry.name,
                address=self.street_address(town),
                legal_representative=self.representative(),
                phone=self.landline(town),
                employees=employees,
            )

    def cooperatives(self, count: int) -> None:
        villages = [v for v in self.tree.villages if not v.urban]
        county_name = self.tree.county.name
        for village in self.rng.choices(villages, k=count):
            town = self.tree.by_code[village.parent or ""]
            crop = self.rng.choice(self.profile.cooperative_crops)
            name = f"{county_name}{names.short_name(village.name)}{crop}专业合作社"
            if name in self.used_names:
                name = self.branded(
                    f"{county_name}{names.short_name(village.name)}{{brand}}{crop}专业合作社"
                )
            self.add(
                name=name,
                kind=Kind.ENTERPRISE,
                region=self.pick_grid(village),
                industry="农业",
                address=self.street_address(town),
                legal_representative=self.representative(),
                phone=mobile_numbers(self.np_rng, 1)[0],
                employees=self.rng.randint(3, 30),
                credit_code_type=COOPERATIVE_CODE_TYPE,
            )

    def individual_businesses(self, count: int) -> None:
        towns = self.tree.towns
        county_name = self.tree.county.name
        weights = 0.5 * self.town_weights("population") + 0.5 * self.town_weights("enterprises")
        town_index = self.np_rng.choice(len(towns), size=count, p=weights)
        phones = mobile_numbers(self.np_rng, count)
        for index, phone in zip(town_index.tolist(), phones, strict=True):
            town = towns[index]
            local = [i for i in self.profile.towns[town.code].industries if i in self.profile.shops]
            if local and self.rng.random() < 0.5:
                trade = self.rng.choice(local)
            else:
                trade = self.rng.choice(GENERAL_SHOPS)
            shop = self.rng.choice(self.profile.shops[trade])
            operator = self.representative()
            village = self.rng.choice(town.children)
            self.add(
                name=self.branded(f"{county_name}{town.name}{{brand}}{shop}"),
                kind=Kind.INDIVIDUAL_BUSINESS,
                region=self.pick_grid(village),
                industry=trade,
                address=self.street_address(town),
                legal_representative=operator,
                phone=phone,
                employees=self.rng.randint(1, 8),
            )

    def rural_collectives(self) -> None:
        prefix = self.tree.address_prefix(self.tree.county)
        for town in self.tree.towns:
            for village in town.children:
                if village.urban:
                    continue
                self.add(
                    name=f"{prefix}{town.name}{village.name}股份经济合作社",
                    kind=Kind.RURAL_COLLECTIVE,
                    region=village,
                    industry="农村集体经济",
                    address=f"{prefix}{town.name}{village.name}",
                    legal_representative=self.representative(),
                    phone=self.landline(village),
                    employees=self.rng.randint(3, 15),
                    at=point_near_centre(village, self.np_rng, radius_degrees=0.002),
                )

    def social_organisations(self, count: int) -> None:
        county = self.tree.county
        places = [county, *self.tree.towns]
        for _ in range(count):
            template, type_code = self.rng.choice(self.profile.social_organisations)
            place = self.rng.choice(places)
            town = place if place.level == "town" else self.tree.seat_of(county)
            label = place.name if place is county else county.name + place.name
            name = template.format(place=label)
            if name in self.used_names:
                name = self.branded(template.format(place=label + "{brand}"))
            self.add(
                name=name,
                kind=Kind.SOCIAL,
                region=place,
                industry="社会服务",
                address=self.street_address(town),
                legal_representative=self.representative(),
                phone=self.landline(place),
                employees=self.rng.randint(2, 30),
                credit_code_type=(SOCIAL_AUTHORITY, type_code),
                at=point_near_centre(town, self.np_rng, radius_degrees=0.01),
            )

    def village_stations(self) -> None:
        prefix = self.tree.address_prefix(self.tree.county)
        for town in self.tree.towns:
            for village in town.children:
                lat, lon = point_near_centre(village, self.np_rng, radius_degrees=0.002)
                self.plan.sites.append(
                    self.sites.make(
                        name=self.profile.village_service_point.format(village=village.name),
                        kind=Site.Kind.SERVICE_POINT,
                        region=village.code,
                        address=f"{prefix}{town.name}{village.name}",
                        lat=lat,
                        lon=lon,
                    )
                )


def _apportion(total: int, weights: np.ndarray) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainders; deterministic)."""
    exact = weights / weights.sum() * total
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    for i in order[: total - int(counts.sum())]:
        counts[i] += 1
    return [int(c) for c in counts]


def plan_organisations(
    tree: RegionTree,
    profile: CountyProfile,
    scale: Scale,
    seed: int,
    *,
    first_organisation_id: int,
    sites: SiteBook,
) -> OrganisationPlan:
    """Every organisation with its site, then the village service stations."""
    planner = _Planner(
        tree=tree,
        profile=profile,
        rng=random.Random(f"{seed}/organisations"),
        np_rng=np.random.default_rng([seed, 2]),
        sites=sites,
        next_id=first_organisation_id,
    )
    planner.public_bodies()
    planner.bank_outlets()
    planner.enterprises(scale.enterprises)
    planner.cooperatives(scale.cooperatives)
    planner.individual_businesses(scale.individual_businesses)
    planner.rural_collectives()
    planner.social_organisations(scale.social_organisations)
    planner.village_stations()
    return planner.plan
