"""A test target kind ("place": a region, inspected by anybody who may write there) with items
routed by category (fire → e-bike charging cases, market → sanitation cases), and a small
checklist answered against it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.core.models import Region
from jiceng.inspections.hooks import CaseSpec, Target, TargetKind, register_target_kind
from jiceng.inspections.models import Checklist
from jiceng.inspections.services import checklist_save

ROUTES = {"fire": "ebike_charging", "market": "sanitation"}
CHANGED: list[tuple[list[str], object]] = []


def _resolve(target_id: str) -> Target | None:
    region = Region.objects.filter(code=target_id).first()
    if region is None:
        return None
    return Target(region_code=region.code, label=region.name, lat=region.lat, lon=region.lon)


def _may_inspect(actor, target: Target) -> None:
    return None


def _case_for(item, note: str) -> CaseSpec:
    category = ROUTES.get(item.category, "sanitation")
    attributes = {"place": "corridor"} if category == "ebike_charging" else {}
    return CaseSpec(category=category, attributes=attributes)


def _changed(target_ids: list[str], at) -> None:
    CHANGED.append((target_ids, at))


register_target_kind(
    "place",
    TargetKind(
        resolve=_resolve,
        may_inspect=_may_inspect,
        case_for=_case_for,
        changed=_changed,
        categories=tuple(ROUTES.values()),
    ),
)

ITEMS = [
    {"code": "exits", "text": "安全出口畅通", "category": "fire", "severity": "major"},
    {"code": "charging", "text": "无飞线充电", "category": "fire", "severity": "minor"},
    {"code": "licence", "text": "证照齐全", "category": "market", "severity": "minor"},
]


@pytest.fixture
def checklist(users) -> Checklist:
    categories_load()
    departments_create(county_code="330483")
    CHANGED.clear()
    return checklist_save(
        users["admin"],
        "test-community",
        ITEMS,
        name="社区检查",
        module="ebike",
        deadline_days={"major": 3, "minor": 10},
    )


def answers(**failed: str) -> list[dict]:
    """Every item fine except those named (item code → note)."""
    return [
        {
            "item": item["code"],
            "ok": item["code"] not in failed,
            "note": failed.get(item["code"], ""),
        }
        for item in ITEMS
    ]


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
