"""The demo county's parameters: `profile.json` (what the county is like) and the scales
(how much of it to generate)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

PROFILE_FILE = Path(__file__).resolve().parent / "profile.json"
REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"
REGIONS_FILE = REFERENCE_DIR / "regions-tongxiang.csv"


@dataclass(frozen=True)
class Scale:
    """How much to generate. The region tree, departments and bank outlets do not depend on it."""

    residents: int
    enterprises: int
    cooperatives: int
    individual_businesses: int
    social_organisations: int
    cases_per_year: int  # a year of case-loop history
    hall_months: int  # months of ticket history at the service halls
    gas: bool = True  # the bottled-gas network (20,000 user sites, 50,000 cylinders)


SCALES: dict[str, Scale] = {
    # `make demo`: quick to seed, still with 7,000+ enterprises.
    "demo": Scale(
        residents=25_000,
        enterprises=7_200,
        cooperatives=150,
        individual_businesses=1_500,
        social_organisations=60,
        cases_per_year=15_000,
        hall_months=6,
    ),
    # Benchmarks: about a million residents, 7,000+ enterprises in the two industrial areas alone.
    "county": Scale(
        residents=1_000_000,
        enterprises=12_500,
        cooperatives=300,
        individual_businesses=30_000,
        social_organisations=240,
        cases_per_year=150_000,
        hall_months=6,
    ),
    # Tests: every code path, little volume (not offered by the command line).
    "test": Scale(
        residents=1_200,
        enterprises=300,
        cooperatives=12,
        individual_businesses=60,
        social_organisations=12,
        cases_per_year=300,
        hall_months=0,  # the hall's own tests seed its history at a fixed date
        gas=False,  # 20,000 sites take seconds; the gas tests build their own network
    ),
    # Tests of the registries at demo volume: the demo's regions, organisations, sites,
    # residents and users, without the history (cases, hall tickets) and the gas network.
    "registries": Scale(
        residents=25_000,
        enterprises=7_200,
        cooperatives=150,
        individual_businesses=1_500,
        social_organisations=60,
        cases_per_year=0,
        hall_months=0,
        gas=False,
    ),
}


@dataclass(frozen=True)
class TownProfile:
    code: str
    communities: int
    villages: int
    population: float
    enterprises: float
    migrants: float
    industries: dict[str, float]


@dataclass(frozen=True)
class IndustryProfile:
    name: str
    words: list[str]
    employees: int  # median head count


@dataclass(frozen=True)
class OrganisationTemplate:
    name: str
    kind: str
    industry: str
    service_point: str = ""  # the name of its service-point site, if it runs one


@dataclass(frozen=True)
class NeighbourProfile:
    code: str
    area_code: str  # telephone
    towns: int
    streets: int
    villages: tuple[int, int]
    population: float
    migrants: float
    organisations: list[OrganisationTemplate]


@dataclass(frozen=True)
class CountyProfile:
    county: str
    area_code: str  # telephone
    towns: dict[str, TownProfile]
    industries: dict[str, IndustryProfile]
    cooperative_crops: list[str]
    shops: dict[str, list[str]]
    social_organisations: list[tuple[str, str]]  # (name template, type code of authority 5)
    banks: list[str]
    bank_outlets: int
    bank_outlets_per_town_at_least: int
    county_organisations: list[OrganisationTemplate]
    town_organisations: list[OrganisationTemplate]
    village_service_point: str
    neighbour: NeighbourProfile
    nearby_birthplaces: dict[str, float]
    migrant_birthplaces: dict[str, float]
    nearby_share: float


def _templates(items: list[dict[str, Any]]) -> list[OrganisationTemplate]:
    return [OrganisationTemplate(**item) for item in items]


@lru_cache(maxsize=1)
def county_profile() -> CountyProfile:
    raw = json.loads(PROFILE_FILE.read_text(encoding="utf-8"))
    neighbour = raw["neighbour"]
    return CountyProfile(
        county=raw["county"],
        area_code=raw["area_code"],
        towns={code: TownProfile(code=code, **spec) for code, spec in raw["towns"].items()},
        industries={
            name: IndustryProfile(name=name, **spec) for name, spec in raw["industries"].items()
        },
        cooperative_crops=list(raw["cooperative_crops"]),
        shops={kind: list(names) for kind, names in raw["shops"].items()},
        social_organisations=[(s["name"], s["type"]) for s in raw["social_organisations"]],
        banks=list(raw["banks"]),
        bank_outlets=int(raw["bank_outlets"]),
        bank_outlets_per_town_at_least=int(raw["bank_outlets_per_town_at_least"]),
        county_organisations=_templates(raw["county_organisations"]),
        town_organisations=_templates(raw["town_organisations"]),
        village_service_point=raw["village_service_point"],
        neighbour=NeighbourProfile(
            code=neighbour["code"],
            area_code=neighbour["area_code"],
            towns=int(neighbour["towns"]),
            streets=int(neighbour["streets"]),
            villages=(int(neighbour["villages"][0]), int(neighbour["villages"][1])),
            population=float(neighbour["population"]),
            migrants=float(neighbour["migrants"]),
            organisations=_templates(neighbour["organisations"]),
        ),
        nearby_birthplaces=dict(raw["birthplaces"]["nearby"]),
        migrant_birthplaces=dict(raw["birthplaces"]["migrant"]),
        nearby_share=float(raw["birthplaces"]["nearby_share"]),
    )
