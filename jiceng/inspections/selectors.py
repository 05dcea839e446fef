"""The inspections engine's reads: checklists, a target's inspections and open findings, when
targets were last inspected, and findings counted per month and region for the modules'
figures (inside a user's scope)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth

from jiceng.core.scope import get_in_scope_or_404, scope_queryset
from jiceng.inspections.models import (
    Checklist,
    ChecklistItem,
    Finding,
    Inspection,
    InspectionPhoto,
    Round,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

    AnyUser = User | AnonymousUser


def checklists(module: str | None = None, *, active_only: bool = True) -> list[Checklist]:
    queryset = Checklist.objects.all()
    if active_only:
        queryset = queryset.filter(is_active=True)
    if module:
        queryset = queryset.filter(module=module)
    return list(queryset)


def checklist_with_items(code: str, *, active_only: bool = True) -> Checklist | None:
    """The checklist with its items (`checklist.item_list`, active ones unless asked)."""
    items = ChecklistItem.objects.order_by("position", "id")
    if active_only:
        items = items.filter(is_active=True)
    return (
        Checklist.objects.filter(code=str(code)[:40])
        .prefetch_related(Prefetch("items", queryset=items, to_attr="item_list"))
        .first()
    )


def open_findings(target_kind: str, target_ids: Iterable[str] | None = None) -> list[Finding]:
    """Open findings of targets of a kind (all of them when `target_ids` is None), oldest
    first, with their items and cases."""
    queryset = Finding.objects.filter(target_kind=target_kind, status=Finding.Status.OPEN)
    if target_ids is not None:
        queryset = queryset.filter(target_id__in=[str(t) for t in target_ids])
    return list(queryset.select_related("item", "case", "inspection").order_by("deadline", "id"))


def findings_of_target(target_kind: str, target_id: str, *, limit: int = 50) -> list[Finding]:
    """A target's failed findings, open and rectified, newest first, with their cases."""
    return list(
        Finding.objects.filter(target_kind=target_kind, target_id=str(target_id), ok=False)
        .select_related("item", "case", "inspection")
        .order_by("-inspection__inspected_at", "-id")[:limit]
    )


def inspections_of(target_kind: str, target_id: str, *, limit: int = 20) -> list[Inspection]:
    """A target's inspections, newest first, with the inspector, the checklist and the count
    of failed items (`failed`)."""
    return list(
        Inspection.objects.filter(target_kind=target_kind, target_id=str(target_id))
        .select_related("inspector", "checklist")
        .annotate(failed=Count("findings", filter=Q(findings__ok=False)))
        .order_by("-inspected_at", "-id")[:limit]
    )


def last_inspected(target_kind: str, target_ids: Iterable[str]) -> dict[str, datetime]:
    ids = [str(t) for t in target_ids]
    rows = (
        Inspection.objects.filter(target_kind=target_kind, target_id__in=ids)
        .values("target_id")
        .annotate(last=Max("inspected_at"))
    )
    return {row["target_id"]: row["last"] for row in rows}


def inspection_for_user(user: AnyUser, pk: int) -> Inspection:
    """One inspection inside the user's region (404 otherwise), with its findings, their
    items, cases and photos."""
    return get_in_scope_or_404(
        Inspection.objects.select_related(
            "checklist", "inspector", "round", "region"
        ).prefetch_related(
            Prefetch(
                "findings",
                queryset=Finding.objects.select_related("item", "case", "rectified_by").order_by(
                    "item__position", "id"
                ),
            ),
            "photos",
        ),
        user,
        pk=pk,
    )


def inspections_in_scope(
    user: AnyUser, *, module: str | None = None, limit: int = 50
) -> list[Inspection]:
    queryset = scope_queryset(Inspection.objects.all(), user)
    if module:
        queryset = queryset.filter(checklist__module=module)
    return list(
        queryset.select_related("checklist", "inspector")
        .annotate(failed=Count("findings", filter=Q(findings__ok=False)))
        .order_by("-inspected_at", "-id")[:limit]
    )


def photo_for_user(user: AnyUser, token: str) -> InspectionPhoto:
    from django.http import Http404

    photo = InspectionPhoto.objects.select_related("inspection").filter(token=token[:40]).first()
    if photo is None:
        raise Http404
    # the same check the inspection's page makes: inside the user's region
    get_in_scope_or_404(Inspection.objects.all(), user, pk=photo.inspection_id)
    return photo


def rounds_in_scope(user: AnyUser, *, limit: int = 50) -> QuerySet[Round]:
    return (
        scope_queryset(Round.objects.all(), user)
        .select_related("leader", "region")
        .annotate(inspection_count=Count("inspections"))
        .order_by("-started_at", "-id")[:limit]
    )


def round_for_user(user: AnyUser, pk: int) -> Round:
    return get_in_scope_or_404(Round.objects.select_related("leader", "region"), user, pk=pk)


def findings_by_month(
    user: AnyUser,
    *,
    module: str | None = None,
    target_kind: str | None = None,
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    """Failed findings per month and region (the inspection's region) inside the user's scope:
    [{"month": date, "region": code, "failed": n, "open": n}]. A module rolls regions up to
    towns with the core's roll-up helpers."""
    queryset = scope_queryset(Inspection.objects.all(), user)
    if module:
        queryset = queryset.filter(checklist__module=module)
    if target_kind:
        queryset = queryset.filter(target_kind=target_kind)
    if since is not None:
        queryset = queryset.filter(inspected_at__gte=since)
    rows = (
        Finding.objects.filter(inspection__in=queryset, ok=False)
        .annotate(month=TruncMonth("inspection__inspected_at"))
        .values("month", "inspection__region_id")
        .annotate(
            failed=Count("id"),
            open=Count("id", filter=Q(status=Finding.Status.OPEN)),
        )
        .order_by("month", "inspection__region_id")
    )
    return [
        {
            "month": row["month"].date() if isinstance(row["month"], datetime) else row["month"],
            "region": row["inspection__region_id"],
            "failed": row["failed"],
            "open": row["open"],
        }
        for row in rows
    ]
