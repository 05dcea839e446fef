"""The long-term-care demo data: institutions, applications at every stage, levels by the
standard, and insured persons who live in the neighbouring region."""

from __future__ import annotations

from datetime import date

import pytest

from jiceng.core.identifiers import make_resident_id
from jiceng.core.models import Person
from jiceng.demo.ltc import seed_ltc
from jiceng.ltc.models import Application, Assessment, Institution, InsuredPerson, ServiceRecord
from jiceng.ltc.standard import assess


@pytest.fixture
def elderly(ltc):
    from jiceng.core.services.registries import person_fields_for_bulk

    villages = ["330483001001", "330483001201", "330483101001", "330483101201"]
    numbers = [
        make_resident_id("330483", date(1935 + i % 15, 1 + i % 12, 1 + i % 27), i, "MF"[i % 2])
        for i in range(60)
    ]
    Person.objects.bulk_create(
        Person(name=f"老人{i}", region_id=villages[i % 4], **fields)
        for i, fields in enumerate(person_fields_for_bulk(numbers))
    )


def test_the_demo_has_every_stage_institutions_and_people_living_in_the_other_region(elderly):
    counts = seed_ltc(county="330483", rng_seed=7)
    assert counts["institutions"] == Institution.objects.count() >= 3
    stages = set(Application.objects.values_list("status", flat=True))
    assert stages == {
        "applied", "accepted", "assigned", "assessed", "reviewed", "published", "appealed",
        "effective", "rejected", "withdrawn",
    }  # fmt: skip
    elsewhere = InsuredPerson.objects.exclude(residence_code="")
    assert elsewhere.count() == counts["living_elsewhere"] > 0
    assert all(i.residence_code.startswith("330502") for i in elsewhere)
    # The levels stored are the standard's for the stored scores.
    for assessment in Assessment.objects.all():
        assert assess(assessment.scores).level == assessment.level
    assert Assessment.objects.filter(supersedes__isnull=False).count() == counts["reassessed"]
    assert ServiceRecord.objects.count() == counts["service_records"]
    assert Application.objects.get(status="appealed").appeal_case is not None
