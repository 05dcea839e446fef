"""Core endpoints: who am I, and the region tree."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Router, Schema

from jiceng.api.schemas import answers
from jiceng.core import roles
from jiceng.core.selectors import region_children, region_get_for_user

router = Router(tags=["core"])


class RegionRef(Schema):
    code: str
    name: str
    level: str


class RegionOut(Schema):
    code: str
    name: str
    name_en: str
    level: str
    parent: RegionRef | None
    lat: float | None
    lon: float | None
    children: list[RegionRef]


class MeOut(Schema):
    username: str
    display_name: str
    region: RegionRef | None
    roles: list[str]
    reads_id_numbers: bool


def _ref(region: object | None) -> dict[str, str] | None:
    if region is None:
        return None
    return {"code": region.code, "name": region.name, "level": region.level}  # type: ignore[attr-defined]


@router.get(
    "/me", response=answers({200: MeOut}), summary="The signed-in user, their scope and roles"
)
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.username,
        "display_name": str(user),
        "region": _ref(user.region),  # type: ignore[union-attr]
        "roles": sorted(roles.roles_of(user)),
        "reads_id_numbers": roles.may_read_id_numbers(user),
    }


@router.get(
    "/regions/{code}",
    response=answers({200: RegionOut}),
    summary="A region with its children; outside your scope it is 404",
)
def region_detail(
    request: HttpRequest,
    code: str = Path(
        ..., pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$", description="region code"
    ),
) -> dict[str, object]:
    region = region_get_for_user(request.user, code)  # type: ignore[arg-type]
    return {
        "code": region.code,
        "name": region.name,
        "name_en": region.name_en,
        "level": region.level,
        "parent": _ref(region.parent),
        "lat": region.lat,
        "lon": region.lon,
        "children": [_ref(c) for c in region_children(region).only("code", "name", "level")],
    }
