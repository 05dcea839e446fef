"""The demo county's residents and their dwellings.

Attributes are drawn for everybody at once with numpy (ages from an age pyramid, gender,
birthplace, ID-number sequence); households and dwellings are then made grid by grid, and rows
are handed out in batches so that a million residents never sit in memory as model instances.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from jiceng.core.identifiers import make_resident_id
from jiceng.core.models import Person, Site
from jiceng.core.services.registries import person_fields_for_bulk
from jiceng.demo import names
from jiceng.demo.profile import CountyProfile
from jiceng.demo.region_tree import PlannedRegion, RegionTree
from jiceng.demo.sites import SiteBook, mobile_numbers, points_in_region, qr_tokens

# Ages are counted at a fixed date, so that a seed gives the same people whenever it runs.
REFERENCE_DATE = date(2026, 6, 30)
# Share of residents by five-year age band (0–4, 5–9, …, 95–99): an ageing county of the 2020s.
AGE_PYRAMID = (
    4.2, 5.0, 5.0, 4.3, 4.6, 6.3, 8.3, 7.2, 6.8, 7.9,
    8.2, 7.1, 5.5, 5.6, 4.3, 2.7, 1.7, 0.9, 0.3, 0.1,
)  # fmt: skip
ADULT_AGE = 20  # every household has at least one resident of this age or older
PHONE_FROM_AGE = 14
MEAN_HOUSEHOLD_SIZE = 2.6
# Rural house numbers: this many houses to a villagers' group (村民小组).
HOUSES_PER_GROUP = 80
# Urban dwellings: flats to a building, to a unit (two flats a floor).
FLATS_PER_BUILDING, FLATS_PER_UNIT = 48, 24
SEQUENCE_STRIDE = 97  # coprime with 500, spreads sequence numbers over 000–999
ID_SEQUENCES_PER_DAY = 500


@dataclass
class ResidentPlan:
    """Attributes of every resident, ordered by grid."""

    grids: list[PlannedRegion]
    per_grid: np.ndarray  # residents in each grid
    age: np.ndarray  # whole years at REFERENCE_DATE
    birth_ordinal: np.ndarray  # date.toordinal() of the birth date
    male: np.ndarray
    birthplace: np.ndarray  # index into birthplace_codes
    birthplace_codes: list[str]
    sequence: np.ndarray  # ID-number sequence, unique per (birthplace, birth date, gender)

    @property
    def count(self) -> int:
        return int(self.per_grid.sum())


def plan_residents(tree: RegionTree, profile: CountyProfile, count: int, seed: int) -> ResidentPlan:
    rng = np.random.default_rng([seed, 3])
    grids = tree.all_grids()
    weights = np.array([g.population for g in grids])
    per_grid = rng.multinomial(count, weights / weights.sum())
    grid_of = np.repeat(np.arange(len(grids)), per_grid)

    pyramid = np.array(AGE_PYRAMID)
    band = rng.choice(len(pyramid), size=count, p=pyramid / pyramid.sum())
    age = band * 5 + rng.integers(0, 5, count)
    # A grid with people but no adult would have a child living alone: make its first an adult.
    has_adult = np.bincount(grid_of, weights=age >= ADULT_AGE, minlength=len(grids)) > 0
    first_of_grid = np.cumsum(per_grid) - per_grid
    lonely = first_of_grid[~has_adult & (per_grid > 0)]
    age[lonely] = rng.integers(ADULT_AGE + 5, 70, len(lonely))
    days = np.floor((age + rng.random(count)) * 365.2425).astype(np.int64)
    birth_ordinal = REFERENCE_DATE.toordinal() - days
    male_share = np.select([age < 60, age < 80], [0.515, 0.49], 0.42)
    male = rng.random(count) < male_share

    # Birthplace: the home county, a nearby county, or (mostly working-age) another province.
    counties = [tree.county.code, tree.neighbour.code]
    migrant = list(profile.migrant_birthplaces)
    nearby = [c for c in profile.nearby_birthplaces if c not in counties]
    codes = counties + migrant + nearby
    migrant_share = np.array(
        [
            profile.towns[g.code[:9]].migrants
            if g.code.startswith(tree.county.code)
            else profile.neighbour.migrants
            for g in grids
        ]
    )[grid_of]
    age_factor = np.select([age < 16, age <= 60], [0.5, 1.0], 0.15)
    is_migrant = rng.random(count) < migrant_share * age_factor
    is_nearby = ~is_migrant & (rng.random(count) < profile.nearby_share)
    home = np.array([0 if g.code.startswith(tree.county.code) else 1 for g in grids])[grid_of]
    birthplace = home.copy()
    migrant_weights = np.array([profile.migrant_birthplaces[c] for c in migrant])
    birthplace[is_migrant] = len(counties) + rng.choice(
        len(migrant), size=int(is_migrant.sum()), p=migrant_weights / migrant_weights.sum()
    )
    nearby_weights = np.array([profile.nearby_birthplaces[c] for c in nearby])
    birthplace[is_nearby] = (
        len(counties)
        + len(migrant)
        + rng.choice(
            len(nearby), size=int(is_nearby.sum()), p=nearby_weights / nearby_weights.sum()
        )
    )
    return ResidentPlan(
        grids=grids,
        per_grid=per_grid,
        age=age,
        birth_ordinal=birth_ordinal,
        male=male,
        birthplace=birthplace,
        birthplace_codes=codes,
        sequence=_id_sequences(birthplace, birth_ordinal, male),
    )


def _id_sequences(
    birthplace: np.ndarray, birth_ordinal: np.ndarray, male: np.ndarray
) -> np.ndarray:
    """A sequence number per person, unique among those of the same birthplace, day and gender.

    The k-th person of a group gets (offset + k * 97) mod 500, the offset depending on the group,
    so that numbers look scattered rather than all starting at 000.
    """
    key = (birthplace.astype(np.int64) * 1_000_000 + birth_ordinal) * 2 + male
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    lengths = np.diff(np.r_[starts, len(key)])
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = np.arange(len(key)) - np.repeat(starts, lengths)
    if len(key) and rank.max() >= ID_SEQUENCES_PER_DAY:
        raise ValueError("more people of one birthplace, day and gender than ID numbers allow")
    offset = (key * 2654435761) % ID_SEQUENCES_PER_DAY
    return (offset + rank * SEQUENCE_STRIDE) % ID_SEQUENCES_PER_DAY


@dataclass
class ResidentBatch:
    dwellings: list[Site]
    people: list[Person]


def resident_batches(
    plan: ResidentPlan,
    tree: RegionTree,
    seed: int,
    *,
    sites: SiteBook,
    first_person_id: int,
    batch_size: int = 50_000,
) -> Iterator[ResidentBatch]:
    """Households, their dwellings and their people, grid by grid, in batches of about
    `batch_size` people."""
    rng = np.random.default_rng([seed, 4])
    next_person_id = first_person_id
    rural_houses: dict[str, int] = {}  # village code → houses numbered so far
    batch = ResidentBatch([], [])
    start = 0
    for grid, count in zip(plan.grids, plan.per_grid.tolist(), strict=True):
        people = np.arange(start, start + count)
        start += count
        if count == 0:
            continue
        household_of = _households(people, plan.age[people], rng)
        households = int(household_of.max()) + 1
        order = np.argsort(household_of, kind="stable")
        people, household_of = people[order], household_of[order]
        addresses = _addresses(grid, households, tree, rng, rural_houses)
        points = points_in_region(grid, households, rng)
        tokens = qr_tokens(rng, households)
        prefix_length = len(tree.address_prefix(tree.county_of(grid.code)))
        dwelling_ids = []
        for address, (lat, lon), token in zip(addresses, points, tokens, strict=True):
            site = sites.make(
                name=address[prefix_length:],
                kind=Site.Kind.DWELLING,
                region=grid.code,
                address=address,
                lat=lat,
                lon=lon,
                qr_token=token,
            )
            batch.dwellings.append(site)
            dwelling_ids.append(site.id)
        people_rows = _people(plan, people, rng)
        for person_index, (name, phone, fields) in enumerate(people_rows):
            household = int(household_of[person_index])
            batch.people.append(
                Person(
                    id=next_person_id,
                    name=name,
                    region_id=grid.code,
                    phone=phone,
                    address=addresses[household],
                    site_id=dwelling_ids[household],
                    **fields,
                )
            )
            next_person_id += 1
        if len(batch.people) >= batch_size:
            yield batch
            batch = ResidentBatch([], [])
    if batch.people:
        yield batch


def _households(people: np.ndarray, age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Household number (0…) of each person: one adult heads each household, everybody else
    joins one at random, which gives sizes of about 1 + Poisson(1.6)."""
    adults = np.flatnonzero(age >= ADULT_AGE)
    wanted = max(1, round(len(people) / MEAN_HOUSEHOLD_SIZE))
    households = max(1, min(wanted, len(adults)))
    household_of = rng.integers(0, households, len(people))
    if len(adults):
        household_of[adults[:households]] = np.arange(households)
    return household_of


def _addresses(
    grid: PlannedRegion,
    households: int,
    tree: RegionTree,
    rng: np.random.Generator,
    rural_houses: dict[str, int],
) -> list[str]:
    """Flats in a residential compound in a community; numbered houses in a village."""
    village = tree.by_code[grid.parent or ""]
    town = tree.by_code[village.parent or ""]
    prefix = tree.address_prefix(tree.county_of(grid.code)) + town.name
    if grid.urban:
        road = town.roads[int(rng.integers(0, len(town.roads)))]
        number = int(rng.integers(1, 1000))
        compound = f"{prefix}{road}{number}号"
        addresses = []
        for k in range(households):
            building, flat = divmod(k, FLATS_PER_BUILDING)
            unit, place = divmod(flat, FLATS_PER_UNIT)
            floor, door = divmod(place, 2)
            addresses.append(f"{compound}{building + 1}幢{unit + 1}单元{floor + 1}{door + 1:02d}室")
        return addresses
    first = rural_houses.get(village.code, 0)
    rural_houses[village.code] = first + households
    return [
        f"{prefix}{village.name}{group + 1}组{house + 1}号"
        for group, house in (divmod(k, HOUSES_PER_GROUP) for k in range(first, first + households))
    ]


def _people(
    plan: ResidentPlan, people: np.ndarray, rng: np.random.Generator
) -> list[tuple[str, str, dict[str, object]]]:
    """(name, phone, stored ID fields) for the given residents."""
    male = plan.male[people]
    ordinal = plan.birth_ordinal[people]
    births = [date.fromordinal(o) for o in ordinal.tolist()]
    full_names = names.person_names(rng, male, np.array([b.year for b in births]))
    has_phone = plan.age[people] >= PHONE_FROM_AGE
    phones = mobile_numbers(rng, len(people))
    codes = plan.birthplace_codes
    id_numbers = [
        make_resident_id(codes[place], born, sequence, "M" if is_male else "F")
        for place, born, sequence, is_male in zip(
            plan.birthplace[people].tolist(),
            births,
            plan.sequence[people].tolist(),
            male.tolist(),
            strict=True,
        )
    ]
    fields = person_fields_for_bulk(id_numbers)
    return [
        (name, phone if with_phone else "", stored)
        for name, phone, with_phone, stored in zip(
            full_names, phones, has_phone.tolist(), fields, strict=True
        )
    ]
