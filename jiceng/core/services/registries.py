"""Creating and changing people, organisations and sites."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiceng.core import identity_vault, roles
from jiceng.core.identifiers import mask_resident_id, validate_credit_code, validate_resident_id
from jiceng.core.models import Organisation, Person, Region, Site, User
from jiceng.core.scope import code_in_scope
from jiceng.core.services.audit import audit_record_id_number_reveal

# Kinds of organisation that may be registered without a unified social credit code.
KINDS_WITHOUT_CREDIT_CODE = frozenset({Organisation.Kind.DEPARTMENT, Organisation.Kind.BANK_OUTLET})


def _check_actor_may_write(actor: User | None) -> None:
    """A read-only actor (a regulator) changes nothing. `None` is the system itself."""
    if actor is not None and not roles.may_write(actor):
        raise PermissionDenied(_("Your role may only read the registries."))


def _check_record_in_scope(actor: User | None, record: Person | Organisation | Site) -> None:
    if actor is not None and not code_in_scope(actor, record.region_id):
        raise PermissionDenied(_("This record is outside your scope."))


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


def person_fields_for_bulk(id_numbers: Sequence[str]) -> list[dict[str, Any]]:
    """`person_fields_from_id` for many ID numbers at once, for bulk loading (the demo seed).

    Raises ValidationError naming the position of the first bad number, or of a number given
    twice. The database is not consulted: a number registered already fails the unique digest
    when the rows are inserted.
    """
    rows: list[dict[str, Any]] = []
    first_position: dict[str, int] = {}
    for position, number in enumerate(id_numbers):
        try:
            fields = person_fields_from_id(number)
        except ValidationError as exc:
            reasons = "; ".join(exc.message_dict["id_number"])
            raise ValidationError(
                {"id_number": _("Row %(n)d: %(reason)s") % {"n": position + 1, "reason": reasons}}
            ) from None
        earlier = first_position.setdefault(fields["id_digest"], position)
        if earlier != position:
            raise ValidationError(
                {
                    "id_number": _("Row %(n)d repeats the ID number of row %(m)d.")
                    % {"n": position + 1, "m": earlier + 1}
                }
            )
        rows.append(fields)
    return rows


def person_create(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    region_code: str,
    phone: str = "",
    address: str = "",
) -> Person:
    _check_actor_may_write(actor)
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
    _check_actor_may_write(actor)
    _check_record_in_scope(actor, person)
    values: dict[str, Any] = {
        field: (value or "").strip() for field, value in changes.items() if field != "region_code"
    }
    if "name" in values and not values["name"]:
        raise ValidationError({"name": _("Name is required.")})
    if "region_code" in changes:
        values["region"] = _region_for_write(actor, changes["region_code"])
    for field, value in values.items():
        setattr(person, field, value)
    with transaction.atomic():
        person.save(update_fields=["name", "phone", "address", "region"])
    return person


def person_find_by_id_number(id_number: str) -> Person | None:
    """Exact look-up by ID number through its keyed digest (callers apply scope)."""
    return Person.objects.filter(id_digest=identity_vault.digest(id_number)).first()


def person_reveal_id_number(person: Person) -> str:
    """The clear ID number, unchecked and unrecorded: for the system's own use (exchanges,
    exports that were already authorised). A user's request goes through
    `person_id_number_reveal`, which checks the role and records the reveal."""
    return identity_vault.unseal(person.id_sealed)


def person_id_number_reveal(*, actor: User, person: Person) -> str:
    """The clear ID number for a user whose role reads ID numbers; the reveal is audited."""
    if not roles.may_read_id_numbers(actor):
        raise PermissionDenied(_("Your role does not show ID numbers in clear."))
    _check_record_in_scope(actor, person)
    with transaction.atomic():
        audit_record_id_number_reveal(actor=actor, person=person)
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
    _check_actor_may_write(actor)
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
    elif kind not in KINDS_WITHOUT_CREDIT_CODE:
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
    _check_actor_may_write(actor)
    errors: dict[str, Any] = {}
    if not (name or "").strip():
        errors["name"] = _("Name is required.")
    if kind not in Site.Kind.values:
        errors["kind"] = _("Unknown site kind: %s") % kind
    if (lat is None) != (lon is None):
        errors["lat"] = _("Give both latitude and longitude, or neither.")
    elif lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        errors["lat"] = _("Coordinates are out of range.")
    if (
        organisation is not None
        and actor is not None
        and not code_in_scope(actor, organisation.region_id)
    ):
        errors["organisation"] = _("The organisation is outside your scope.")
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


ORGANISATION_CHANGEABLE = frozenset(
    {
        "name",
        "kind",
        "credit_code",
        "region_code",
        "industry",
        "address",
        "legal_representative",
        "phone",
        "employees",
    }
)


def organisation_update(
    *, actor: User | None, organisation: Organisation, **changes: Any
) -> Organisation:
    """Change an organisation's fields (any of ORGANISATION_CHANGEABLE); all or nothing."""
    unknown = set(changes) - ORGANISATION_CHANGEABLE
    if unknown:
        raise ValidationError(_("Fields that cannot be changed: %s") % ", ".join(sorted(unknown)))
    _check_actor_may_write(actor)
    _check_record_in_scope(actor, organisation)
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for field in ("name", "industry", "address", "legal_representative", "phone"):
        if field in changes:
            values[field] = (changes[field] or "").strip()
    if "name" in values and not values["name"]:
        errors["name"] = _("Name is required.")
    kind = changes.get("kind", organisation.kind)
    if kind not in Organisation.Kind.values:
        errors["kind"] = _("Unknown organisation kind: %s") % kind
    values["kind"] = kind
    code = organisation.credit_code
    if "credit_code" in changes:
        raw = (changes["credit_code"] or "").strip()
        code = None
        if raw:
            try:
                code = validate_credit_code(raw)
            except ValidationError as exc:
                errors["credit_code"] = exc.messages
        values["credit_code"] = code
    if not code and "credit_code" not in errors and kind not in KINDS_WITHOUT_CREDIT_CODE:
        errors["credit_code"] = _("A credit code is required for this kind of organisation.")
    if code and (
        Organisation.objects.filter(credit_code=code).exclude(pk=organisation.pk).exists()
    ):
        errors["credit_code"] = _("An organisation with this code is registered.")
    if "employees" in changes:
        employees = changes["employees"]
        if employees is not None and (not isinstance(employees, int) or employees < 0):
            errors["employees"] = _("Employees must be a whole number, zero or more.")
        values["employees"] = employees
    if "region_code" in changes:
        try:
            values["region"] = _region_for_write(actor, changes["region_code"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(organisation, field, value)
    try:
        with transaction.atomic():
            organisation.save(update_fields=list(values))
    except IntegrityError:
        raise ValidationError(
            {"credit_code": _("An organisation with this code is registered.")}
        ) from None
    return organisation


SITE_CHANGEABLE = frozenset(
    {"name", "kind", "region_code", "address", "lat", "lon", "organisation"}
)


def site_update(*, actor: User | None, site: Site, **changes: Any) -> Site:
    """Change a site's fields (any of SITE_CHANGEABLE); all or nothing. Coordinates are set
    together: give both `lat` and `lon` (or both None to clear them)."""
    unknown = set(changes) - SITE_CHANGEABLE
    if unknown:
        raise ValidationError(_("Fields that cannot be changed: %s") % ", ".join(sorted(unknown)))
    _check_actor_may_write(actor)
    _check_record_in_scope(actor, site)
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for field in ("name", "address"):
        if field in changes:
            values[field] = (changes[field] or "").strip()
    if "name" in values and not values["name"]:
        errors["name"] = _("Name is required.")
    if "kind" in changes:
        if changes["kind"] not in Site.Kind.values:
            errors["kind"] = _("Unknown site kind: %s") % changes["kind"]
        values["kind"] = changes["kind"]
    if "lat" in changes or "lon" in changes:
        lat, lon = changes.get("lat", site.lat), changes.get("lon", site.lon)
        if (lat is None) != (lon is None):
            errors["lat"] = _("Give both latitude and longitude, or neither.")
        elif lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            errors["lat"] = _("Coordinates are out of range.")
        values["lat"], values["lon"] = lat, lon
    if "organisation" in changes:
        organisation = changes["organisation"]
        if (
            organisation is not None
            and actor is not None
            and not code_in_scope(actor, organisation.region_id)
        ):
            errors["organisation"] = _("The organisation is outside your scope.")
        values["organisation"] = organisation
    if "region_code" in changes:
        try:
            values["region"] = _region_for_write(actor, changes["region_code"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(site, field, value)
    with transaction.atomic():
        site.save(update_fields=list(values))
    return site
