"""Creating and changing people, organisations and sites."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiceng.core import identity_vault
from jiceng.core.identifiers import mask_resident_id, validate_credit_code, validate_resident_id
from jiceng.core.models import Organisation, Person, Region, Site, User
from jiceng.core.scope import code_in_scope


def _region_for_write(actor: User | None, code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code: %s") % code})
    if actor is not None and not code_in_scope(actor, region.code):
        raise ValidationError({"region": _("Region %s is outside your scope.") % region.code})
    return region


def person_fields_from_id(id_number: str) -> dict[str, Any]:
    """The stored form of an ID number: digest, sealed copy, mask, and what it states."""
    try:
        facts = validate_resident_id(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    return {
        "id_digest": identity_vault.digest(facts.number),
        "id_sealed": identity_vault.seal(facts.number),
        "id_masked": mask_resident_id(facts.number),
        "gender": facts.gender,
        "birth_date": facts.birth_date,
    }


def person_create(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    region_code: str,
    phone: str = "",
    address: str = "",
) -> Person:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name is required.")})
    fields = person_fields_from_id(id_number)
    region = _region_for_write(actor, region_code)
    if Person.objects.filter(id_digest=fields["id_digest"]).exists():
        raise ValidationError({"id_number": _("A person with this ID number is registered.")})
    try:
        with transaction.atomic():
            return Person.objects.create(
                name=name, region=region, phone=phone.strip(), address=address.strip(), **fields
            )
    except IntegrityError:
        raise ValidationError(
            {"id_number": _("A person with this ID number is registered.")}
        ) from None


def person_update(*, actor: User | None, person: Person, **changes: Any) -> Person:
    allowed = {"name", "phone", "address", "region_code"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("Fields that cannot be changed: %s") % ", ".join(sorted(unknown)))
    if "region_code" in changes:
        person.region = _region_for_write(actor, changes.pop("region_code"))
    for field, value in changes.items():
        setattr(person, field, (value or "").strip())
    if not person.name:
        raise ValidationError({"name": _("Name is required.")})
    person.save(update_fields=["name", "phone", "address", "region"])
    return person


def person_find_by_id_number(id_number: str) -> Person | None:
    """Exact look-up by ID number through its keyed digest (callers apply scope)."""
    return Person.objects.filter(id_digest=identity_vault.digest(id_number)).first()


def person_reveal_id_number(person: Person) -> str:
    return identity_vault.unseal(person.id_sealed)


def organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    region_code: str,
    credit_code: str = "",
    industry: str = "",
    address: str = "",
    legal_representative: str = "",
    phone: str = "",
    employees: int | None = None,
) -> Organisation:
    errors: dict[str, Any] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Name is required.")
    if kind not in Organisation.Kind.values:
        errors["kind"] = _("Unknown organisation kind: %s") % kind
    code = None
    if credit_code and credit_code.strip():
        try:
            code = validate_credit_code(credit_code)
        except ValidationError as exc:
            errors["credit_code"] = exc.messages
    elif kind not in (Organisation.Kind.DEPARTMENT, Organisation.Kind.BANK_OUTLET):
        errors["credit_code"] = _("A credit code is required for this kind of organisation.")
    if errors:
        raise ValidationError(errors)
    region = _region_for_write(actor, region_code)
    if code and Organisation.objects.filter(credit_code=code).exists():
        raise ValidationError({"credit_code": _("An organisation with this code is registered.")})
    try:
        with transaction.atomic():
            return Organisation.objects.create(
                name=name,
                kind=kind,
                credit_code=code,
                region=region,
                industry=industry.strip(),
                address=address.strip(),
                legal_representative=legal_representative.strip(),
                phone=phone.strip(),
                employees=employees,
            )
    except IntegrityError:
        raise ValidationError(
            {"credit_code": _("An organisation with this code is registered.")}
        ) from None


def site_create(
    *,
    actor: User | None,
    name: str,
    region_code: str,
    kind: str = Site.Kind.PREMISES,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    organisation: Organisation | None = None,
) -> Site:
    errors: dict[str, Any] = {}
    if not (name or "").strip():
        errors["name"] = _("Name is required.")
    if kind not in Site.Kind.values:
        errors["kind"] = _("Unknown site kind: %s") % kind
    if (lat is None) != (lon is None):
        errors["lat"] = _("Give both latitude and longitude, or neither.")
    elif lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        errors["lat"] = _("Coordinates are out of range.")
    if errors:
        raise ValidationError(errors)
    region = _region_for_write(actor, region_code)
    return Site.objects.create(
        name=name.strip(),
        kind=kind,
        region=region,
        address=address.strip(),
        lat=lat,
        lon=lon,
        organisation=organisation,
        qr_token=Site.new_qr_token(),
    )
