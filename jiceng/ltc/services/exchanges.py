"""The three exchanges of the cross-region agreement (嘉湖异地互认), over signed envelopes:

- person status (互通, kind `ltc.person_status`): the peer asks whether a person is insured
  here and at what level; the answer holds only the fields the agreement allows, and every
  query, asked or answered, is logged in `StatusQuery`;
- assessment recognition (互认, kind `ltc.assessment`): an assessment made here is sent to the
  peer, which checks it is valid today and records a `Recognition` linked to the original; a
  superseding assessment replaces the earlier recognition;
- institution sharing (互享, kind `ltc.institutions`): each region publishes its designated
  institutions as a signed document; the peer imports it on a schedule and on demand.

ID numbers travel only inside signed envelopes; here they are stored sealed with a keyed
digest, and shown masked.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import identity_vault
from jiceng.core.identifiers import mask_resident_id, validate_resident_id
from jiceng.core.models import Region
from jiceng.core.scope import code_within
from jiceng.core.services.registries import person_find_by_id_number, person_reveal_id_number
from jiceng.federation import messaging
from jiceng.federation.selectors import own_code, peer_for_code, peers_all
from jiceng.ltc.access import check_in_scope, check_staff
from jiceng.ltc.models import (
    ApplicationStatus,
    Assessment,
    AssessmentShare,
    Institution,
    InsuredPerson,
    Recognition,
    SharedInstitution,
    StatusQuery,
)
from jiceng.ltc.selectors import (
    current_assessment,
    institutions_published,
    recognition_active_for_id_number,
)
from jiceng.ltc.standard import current_standard

if TYPE_CHECKING:
    from jiceng.core.models import User

PERSON_STATUS = "ltc.person_status"
ASSESSMENT = "ltc.assessment"
INSTITUTIONS = "ltc.institutions"
INSTITUTIONS_PATH = "/api/v1/ltc/federation/institutions"
# What a person-status answer may hold; the agreement with each peer picks among them. When the
# agreement names no fields for person status, the answer holds the three the issue names.
STATUS_FIELDS = ("insured", "level", "valid_until", "assessed_on", "care_mode", "name")
DEFAULT_STATUS_FIELDS = ("insured", "level", "valid_until")
FIELD_ALIASES = {"ltc_level": "level"}


class ExchangeFailed(Exception):
    """The peer could not be reached, refused the envelope or declined the request."""


def _send(*, peer_code: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        return messaging.send(peer_code=peer_code, kind=kind, payload=payload)
    except messaging.HandlerRefused as declined:
        raise ExchangeFailed(_("The peer region declined: %s") % declined.detail) from None
    except messaging.EnvelopeRefused as refused:
        raise ExchangeFailed(_("The exchange was refused: %s") % refused.detail) from None
    except messaging.PeerUnavailable as down:
        raise ExchangeFailed(_("The peer region cannot be reached: %s") % down) from None


def _agreed_fields(peer_agreement: dict[str, Any]) -> list[str]:
    named = peer_agreement.get("person_status") if isinstance(peer_agreement, dict) else None
    if not named:
        return list(DEFAULT_STATUS_FIELDS)
    fields = [FIELD_ALIASES.get(str(f), str(f)) for f in named]
    return [f for f in STATUS_FIELDS if f in fields]


# --- Person status (互通) ---------------------------------------------------------------------


def person_status_answer(opened: messaging.Opened) -> dict[str, Any]:
    """Handler of `ltc.person_status`: whether the person is insured here, their level and its
    validity, limited to the fields the agreement with the asking peer allows. Logged."""
    payload = opened.payload
    number = str(payload.get("id_number") or "")
    try:
        number = validate_resident_id(number).number
    except ValidationError as exc:
        raise messaging.HandlerRefused("id_number: " + " ".join(exc.messages)) from None
    purpose = str(payload.get("purpose") or "")[:200]
    today = timezone.localdate()
    person = person_find_by_id_number(number)
    insured = (
        InsuredPerson.objects.filter(person=person, active=True).first()
        if person is not None
        else None
    )
    assessment = current_assessment(insured.person, today=today) if insured is not None else None
    full: dict[str, Any] = {
        "insured": insured is not None,
        "level": assessment.level if assessment else None,
        "valid_until": assessment.valid_until.isoformat() if assessment else None,
        "assessed_on": assessment.assessed_on.isoformat() if assessment else None,
        "care_mode": insured.care_mode or None if insured else None,
        "name": person.name if person is not None and insured is not None else None,
    }
    fields = _agreed_fields(opened.peer.agreement)
    answer = {f: full[f] for f in fields}
    StatusQuery.objects.create(
        direction=StatusQuery.Direction.IN,
        peer_code=opened.peer.code,
        id_digest=identity_vault.digest(number),
        id_masked=mask_resident_id(number),
        purpose=purpose,
        fields=fields,
        answer=answer,
        outcome="answered",
        at=timezone.now(),
    )
    return answer


def person_status_ask(
    *, actor: User | None, peer_code: str, id_number: str, purpose: str
) -> dict[str, Any]:
    """Ask a peer region about a person; the query and its answer are logged here too."""
    check_staff(actor)
    try:
        number = validate_resident_id(id_number).number
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": _("Say why you ask (it is logged on both sides).")})
    if peer_for_code(peer_code) is None:
        raise ValidationError({"peer": _("No peer region has code %s.") % peer_code})
    query = StatusQuery(
        direction=StatusQuery.Direction.OUT,
        peer_code=peer_code,
        id_digest=identity_vault.digest(number),
        id_masked=mask_resident_id(number),
        purpose=purpose[:200],
        asked_by=actor,
        at=timezone.now(),
    )
    try:
        answer = _send(
            peer_code=peer_code,
            kind=PERSON_STATUS,
            payload={"id_number": number, "purpose": purpose[:200]},
        )
    except ExchangeFailed as failed:
        query.outcome = str(failed)[:200]
        query.save()
        raise
    query.answer = answer
    query.fields = sorted(answer)
    query.outcome = "answered"
    query.save()
    return answer


# --- Assessment recognition (互认) ------------------------------------------------------------


def assessment_payload(assessment: Assessment) -> dict[str, Any]:
    person = assessment.person
    insured = InsuredPerson.objects.filter(person=person).first()
    return {
        "origin_id": assessment.pk,
        "id_number": person_reveal_id_number(person),
        "name": person.name,
        "level": assessment.level,
        "grades": assessment.grades,
        "totals": {
            "adl": assessment.adl_total,
            "cognition": assessment.cognition_total,
            "sensory": assessment.sensory_total,
        },
        "standard": assessment.standard,
        "assessed_on": assessment.assessed_on.isoformat(),
        "valid_until": assessment.valid_until.isoformat(),
        "assessor": assessment.assessor,
        "institution": assessment.institution,
        "supersedes_origin_id": assessment.supersedes_id,
        "residence_code": insured.residence_code if insured else "",
    }


def assessment_share(
    *, actor: User | None, assessment: Assessment, peer_code: str, today: date | None = None
) -> dict[str, Any]:
    """Send a valid, current assessment to a peer region, which recognises it."""
    check_staff(actor)
    check_in_scope(actor, assessment.region_id)
    today = today or timezone.localdate()
    peer = peer_for_code((peer_code or "").strip())
    if peer is None or not peer.enabled:
        raise ValidationError({"peer": _("No enabled peer region has code %s.") % peer_code})
    if assessment.superseded_at is not None:
        raise ValidationError({"assessment": _("A later assessment supersedes this one.")})
    if assessment.valid_until < today:
        raise ValidationError({"assessment": _("This assessment has expired.")})
    application = assessment.application
    if application is not None and application.status != ApplicationStatus.EFFECTIVE:
        raise ValidationError(
            {"assessment": _("The result is not effective yet (its application is in progress).")}
        )
    share = AssessmentShare(
        assessment=assessment, peer_code=peer.code, shared_by=actor, at=timezone.now()
    )
    try:
        answer = _send(peer_code=peer.code, kind=ASSESSMENT, payload=assessment_payload(assessment))
    except ExchangeFailed as failed:
        share.outcome = str(failed)[:200]
        share.save()
        raise
    recognition_id = answer.get("recognition_id")
    share.recognition_id = recognition_id if isinstance(recognition_id, int) else None
    share.outcome = "recognised"
    share.save()
    return {"peer": peer.code, **answer}


def _date_field(payload: dict[str, Any], name: str) -> date:
    try:
        return date.fromisoformat(str(payload.get(name)))
    except ValueError:
        raise messaging.HandlerRefused(f"{name}: not a date") from None


def _local_region(code: str) -> Region:
    own = own_code()
    if code and code_within(code, own):
        region = Region.objects.filter(code=code).first()
        if region is not None:
            return region
    return Region.objects.get(code=own)


def assessment_recognize(opened: messaging.Opened) -> dict[str, Any]:
    """Handler of `ltc.assessment`: recognise a peer's assessment that is valid today."""
    payload = opened.payload
    origin = opened.peer.code
    try:
        number = validate_resident_id(str(payload.get("id_number") or "")).number
    except ValidationError as exc:
        raise messaging.HandlerRefused("id_number: " + " ".join(exc.messages)) from None
    origin_id = payload.get("origin_id")
    if not isinstance(origin_id, int) or isinstance(origin_id, bool) or origin_id < 1:
        raise messaging.HandlerRefused("origin_id: not a positive integer")
    name = str(payload.get("name") or "").strip()
    if not name:
        raise messaging.HandlerRefused("name: empty")
    standard = current_standard()
    level = payload.get("level")
    if not isinstance(level, int) or level not in standard.levels:
        raise messaging.HandlerRefused("level: not a level of the standard")
    grades = payload.get("grades")
    if not isinstance(grades, dict) or any(
        grades.get(k) not in standard.grades for k in standard.indicators
    ):
        raise messaging.HandlerRefused("grades: not the standard's grades")
    assessed_on = _date_field(payload, "assessed_on")
    valid_until = _date_field(payload, "valid_until")
    today = timezone.localdate()
    if valid_until < today:
        raise messaging.HandlerRefused(
            f"the assessment expired on {valid_until.isoformat()}: it cannot be recognised"
        )
    if assessed_on > today or valid_until < assessed_on:
        raise messaging.HandlerRefused("assessed_on: not a plausible date")
    existing = Recognition.objects.filter(origin_region=origin, origin_id=origin_id).first()
    if existing is not None:
        return {"recognition_id": existing.pk, "status": existing.status, "replaced": []}
    digest = identity_vault.digest(number)
    try:
        with transaction.atomic():
            recognition = _recognition_create(
                opened,
                number,
                digest,
                origin_id,
                name,
                level,
                {k: grades[k] for k in standard.indicators},
                assessed_on,
                valid_until,
            )
    except IntegrityError:  # the same assessment, sent twice at the same moment
        existing = Recognition.objects.get(origin_region=origin, origin_id=origin_id)
        return {"recognition_id": existing.pk, "status": existing.status, "replaced": []}
    # The new assessment replaces every earlier recognition of the person from that region
    # (the one it names as superseded among them).
    earlier = Recognition.objects.filter(
        origin_region=origin, id_digest=digest, status=Recognition.Status.ACTIVE
    ).exclude(pk=recognition.pk)
    replaced = sorted(earlier.values_list("pk", flat=True))
    for old in earlier.select_for_update():
        old.status = Recognition.Status.REPLACED
        # The link goes from the latest earlier recognition (one-to-one) to the new one.
        old.replaced_by = recognition if old.pk == replaced[-1] else None
        old.save(update_fields=["status", "replaced_by"])
    return {"recognition_id": recognition.pk, "status": recognition.status, "replaced": replaced}


def _recognition_create(
    opened: messaging.Opened,
    number: str,
    digest: str,
    origin_id: int,
    name: str,
    level: int,
    grades: dict[str, Any],
    assessed_on: date,
    valid_until: date,
) -> Recognition:
    payload = opened.payload
    return Recognition.objects.create(
        origin_region=opened.peer.code,
        origin_id=origin_id,
        id_digest=digest,
        id_sealed=identity_vault.seal(number),
        id_masked=mask_resident_id(number),
        name=name[:50],
        level=level,
        grades=grades,
        assessed_on=assessed_on,
        valid_until=valid_until,
        assessor=str(payload.get("assessor") or "")[:100],
        region=_local_region(str(payload.get("residence_code") or "")),
        person=person_find_by_id_number(number),
        received_at=timezone.now(),
        nonce=opened.nonce,
    )


def eligible_by_recognition(id_number: str, *, today: date | None = None) -> Recognition | None:
    """The recognition that makes a person eligible here without a new assessment, if any."""
    return recognition_active_for_id_number(id_number, today=today or timezone.localdate())


# --- Institution sharing (互享) ---------------------------------------------------------------


def institutions_document() -> dict[str, Any]:
    """This region's designated institutions as a signed document for every peer."""
    return messaging.document_sign(
        kind=INSTITUTIONS,
        payload={
            "region": own_code(),
            "institutions": [
                {
                    "id": i.pk,
                    "name": i.name,
                    "credit_code": i.credit_code,
                    "region_code": i.region_id,
                    "region_name": i.region.name,
                    "address": i.address,
                    "care_modes": list(i.care_modes),
                    "beds": i.beds,
                    "capacity": i.capacity,
                    "status": i.status,
                }
                for i in institutions_published()
            ],
        },
    )


def _shared_fields(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ValueError("an institution is not an object")
    origin_id = entry.get("id")
    if not isinstance(origin_id, int) or origin_id < 1:
        raise ValueError("id: not a positive integer")
    status = entry.get("status")
    if status not in Institution.Status.values:
        raise ValueError(f"status: {status!r}")
    modes = entry.get("care_modes")
    if not isinstance(modes, list) or any(not isinstance(m, str) for m in modes):
        raise ValueError("care_modes: not a list")
    return {
        "origin_id": origin_id,
        "name": str(entry.get("name") or "")[:200],
        "credit_code": str(entry.get("credit_code") or "")[:18],
        "region_code": str(entry.get("region_code") or "")[:15],
        "region_name": str(entry.get("region_name") or "")[:100],
        "address": str(entry.get("address") or "")[:300],
        "care_modes": [m for m in modes if m][:5],
        "beds": max(0, int(entry.get("beds") or 0)),
        "capacity": max(0, int(entry.get("capacity") or 0)),
        "status": status,
    }


def institutions_import(*, actor: User | None, peer_code: str) -> int:
    """Fetch a peer's signed list of institutions and store it (`institutions_store`).
    Returns how many institutions the peer lists. An unknown or disabled peer is bad input (the
    API answers 400 naming it), not a failed exchange."""
    check_staff(actor)
    peer = peer_for_code((peer_code or "").strip())
    if peer is None or not peer.enabled:
        raise ValidationError({"peer": _("No enabled peer region has code %s.") % peer_code})
    try:
        document = messaging.fetch_document(
            peer_code=peer_code, path=INSTITUTIONS_PATH, kind=INSTITUTIONS
        )
    except messaging.EnvelopeRefused as refused:
        raise ExchangeFailed(_("The list did not verify: %s") % refused.detail) from None
    except messaging.PeerUnavailable as down:
        raise ExchangeFailed(_("The peer region cannot be reached: %s") % down) from None
    return institutions_store(peer_code=peer_code, document=document)


def institutions_store(*, peer_code: str, document: dict[str, Any]) -> int:
    """Bring the stored list of a peer's institutions up to date from its (verified) document:
    new ones added, changed ones updated, those no longer listed marked so. All or nothing."""
    if document.get("region") != peer_code or not isinstance(document.get("institutions"), list):
        raise ExchangeFailed(_("The peer's list is not a list of its institutions."))
    try:
        entries = [_shared_fields(e) for e in document["institutions"]]
    except (ValueError, TypeError) as bad:
        raise ExchangeFailed(_("The peer's list holds a bad entry: %s") % bad) from None
    now = timezone.now()
    with transaction.atomic():
        seen = []
        for fields in entries:
            origin_id = fields.pop("origin_id")
            SharedInstitution.objects.update_or_create(
                peer_code=peer_code,
                origin_id=origin_id,
                defaults={**fields, "listed": True, "imported_at": now},
            )
            seen.append(origin_id)
        SharedInstitution.objects.filter(peer_code=peer_code).exclude(origin_id__in=seen).update(
            listed=False, imported_at=now
        )
    return len(entries)


def institutions_import_all() -> dict[str, int | str]:
    """Import from every enabled peer (the schedule); a peer that fails is reported, not fatal."""
    outcome: dict[str, int | str] = {}
    for peer in peers_all().filter(enabled=True):
        try:
            outcome[peer.code] = institutions_import(actor=None, peer_code=peer.code)
        except ExchangeFailed as failed:
            outcome[peer.code] = str(failed)
    return outcome


def register_handlers() -> None:
    messaging.register_handler(PERSON_STATUS, person_status_answer)
    messaging.register_handler(ASSESSMENT, assessment_recognize)
