"""Reads of the long-term-care module. Every list a user sees goes through the region scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jiceng.core import identity_vault
from jiceng.core.scope import get_in_scope_or_404, scope_queryset, user_scope_prefix
from jiceng.ltc.models import (
    Application,
    ApplicationStatus,
    Assessment,
    Institution,
    InsuredPerson,
    Recognition,
    ServiceRecord,
    SharedInstitution,
    StatusQuery,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import Person, User

    AnyUser = User | AnonymousUser


def counting_assessments(person: Person, *, today: date) -> QuerySet[Assessment]:
    """The assessments that give a person a level on `today`: valid that day, and either made
    outside an application (recorded directly, as the API does) or of an effective application;
    the latest first."""
    return (
        Assessment.objects.filter(person=person, assessed_on__lte=today, valid_until__gte=today)
        .filter(Q(application__isnull=True) | Q(application__status=ApplicationStatus.EFFECTIVE))
        .order_by("-assessed_on", "-pk")
    )


def current_assessment(person: Person, *, today: date | None = None) -> Assessment | None:
    return counting_assessments(person, today=today or timezone.localdate()).first()


def current_level(person: Person, *, today: date | None = None) -> int | None:
    """The person's level on `today`: their current assessment's, or else that of a peer
    region's assessment recognised here (互认), which makes them eligible without a new one."""
    today = today or timezone.localdate()
    assessment = current_assessment(person, today=today)
    if assessment is not None:
        return assessment.level
    recognition = recognition_for_person(person, today=today)
    return recognition.level if recognition is not None else None


def recognition_for_person(person: Person, *, today: date) -> Recognition | None:
    """The active recognition of a person registered here (matched by the ID number's digest)."""
    return (
        Recognition.objects.filter(
            id_digest=person.id_digest,
            status=Recognition.Status.ACTIVE,
            assessed_on__lte=today,
            valid_until__gte=today,
        )
        .order_by("-assessed_on", "-pk")
        .first()
    )


def applications_for(user: AnyUser, *, status: str = "", query: str = "") -> QuerySet[Application]:
    rows = scope_queryset(Application.objects.all(), user).select_related(
        "person", "region", "assessment"
    )
    if status == "open":
        rows = rows.exclude(
            status__in=[
                ApplicationStatus.EFFECTIVE,
                ApplicationStatus.REJECTED,
                ApplicationStatus.WITHDRAWN,
            ]
        )
    elif status:
        rows = rows.filter(status=status)
    if query:
        query = query.strip()
        if len(query) == 18:
            rows = rows.filter(person__id_digest=identity_vault.digest(query))
        else:
            rows = rows.filter(Q(number__icontains=query) | Q(person__name__icontains=query))
    return rows


def application_for_user(user: AnyUser, application_id: int) -> Application:
    return get_in_scope_or_404(
        Application.objects.select_related("person", "region", "assessment", "appeal_case"),
        user,
        pk=application_id,
    )


def assessment_for_user(user: AnyUser, assessment_id: int) -> Assessment:
    return get_in_scope_or_404(
        Assessment.objects.select_related("person", "region"), user, pk=assessment_id
    )


def institutions_for(user: AnyUser) -> QuerySet[Institution]:
    return scope_queryset(Institution.objects.select_related("region"), user)


def institution_for_user(user: AnyUser, institution_id: int) -> Institution:
    return get_in_scope_or_404(
        Institution.objects.select_related("region"), user, pk=institution_id
    )


def institutions_published() -> QuerySet[Institution]:
    """What this region publishes to its peers: every institution, with its status."""
    return Institution.objects.select_related("region").order_by("pk")


def shared_institutions(*, peer_code: str = "") -> QuerySet[SharedInstitution]:
    rows = SharedInstitution.objects.filter(listed=True)
    return rows.filter(peer_code=peer_code) if peer_code else rows


def shared_institution_by_id(institution_id: int) -> SharedInstitution:
    """A peer region's institution from its shared list, listed or not (the service refuses a
    delisted one with its reason); 404 when there is none. The list is the same for every user."""
    institution = SharedInstitution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise Http404("No such shared institution.")
    return institution


def insured_served_by(user: AnyUser, institution: Institution) -> QuerySet[InsuredPerson]:
    return scope_queryset(
        InsuredPerson.objects.filter(institution=institution), user
    ).select_related("person")


def insured_for_user(user: AnyUser, insured_id: int) -> InsuredPerson:
    return get_in_scope_or_404(
        InsuredPerson.objects.select_related("person", "institution", "shared_institution"),
        user,
        pk=insured_id,
    )


def insured_living_abroad(user: AnyUser) -> QuerySet[InsuredPerson]:
    """The insured of this region who live in another region (the peer's)."""
    return (
        scope_queryset(InsuredPerson.objects.exclude(residence_code=""), user)
        .select_related("person", "shared_institution", "institution")
        .order_by("person__name")
    )


def recognitions_for(user: AnyUser) -> QuerySet[Recognition]:
    return scope_queryset(Recognition.objects.all(), user)


def recognition_active_for_id_number(id_number: str, *, today: date) -> Recognition | None:
    return (
        Recognition.objects.filter(
            id_digest=identity_vault.digest(id_number),
            status=Recognition.Status.ACTIVE,
            valid_until__gte=today,
        )
        .order_by("-assessed_on", "-pk")
        .first()
    )


def status_queries(user: AnyUser, *, limit: int = 50) -> QuerySet[StatusQuery]:
    """The log of person-status queries. It names people of the whole county (masked), so a
    user whose scope is the county sees all of it; a user of a town sees the queries they asked."""
    rows = StatusQuery.objects.select_related("asked_by")
    prefix = user_scope_prefix(user)
    if prefix is None:
        return rows.none()
    if len(prefix) > 6:
        rows = rows.filter(asked_by_id=user.pk)
    return rows[:limit]


@dataclass
class StatementSide:
    rows: list[ServiceRecord] = field(default_factory=list)
    total: Decimal = Decimal("0.00")


@dataclass
class Statement:
    peer_code: str
    month: date
    we_owe: StatementSide  # our insured cared for by the peer's institutions
    owed_to_us: StatementSide  # the peer's insured cared for by our institutions

    @property
    def balance(self) -> Decimal:
        """What the peer owes us less what we owe the peer."""
        return self.owed_to_us.total - self.we_owe.total


def settlement_statement(user: AnyUser, *, peer_code: str, month: date) -> Statement:
    rows = (
        scope_queryset(ServiceRecord.objects.filter(peer_code=peer_code, month=month), user)
        .select_related("insured__person", "recognition", "institution", "shared_institution")
        .order_by("pk")
    )
    statement = Statement(peer_code, month, StatementSide(), StatementSide())
    for row in rows:
        side = statement.we_owe if row.shared_institution_id else statement.owed_to_us
        side.rows.append(row)
        side.total += row.amount
    return statement


def settlement_months(user: AnyUser) -> list[tuple[str, date]]:
    pairs = (
        scope_queryset(ServiceRecord.objects.exclude(peer_code=""), user)
        .values_list("peer_code", "month")
        .distinct()
        .order_by("-month", "peer_code")
    )
    return list(pairs)


def service_subject_name(row: ServiceRecord) -> tuple[str, str]:
    """(name, masked ID number) of the person a service record is about."""
    if row.insured_id is not None:
        assert row.insured is not None
        return row.insured.person.name, row.insured.person.id_masked
    assert row.recognition is not None
    return row.recognition.name, row.recognition.id_masked


def provider_name(row: ServiceRecord) -> str:
    provider: Any = row.institution or row.shared_institution
    return provider.name if provider is not None else ""
