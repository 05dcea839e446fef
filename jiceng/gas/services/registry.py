"""Registering stations, cylinders, user sites, delivery workers and vehicles; the staff of a
station and the scale devices bound to it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.models import Region, Site, User
from jiceng.core.scope import code_within
from jiceng.core.secret_keys import key_holder_find, key_new, key_revoke
from jiceng.gas.access import check_may_manage_station, check_may_write_in
from jiceng.gas.lifecycle import end_of_life, next_inspection_due
from jiceng.gas.models import (
    Cylinder,
    CylinderState,
    DeliveryWorker,
    ScaleDevice,
    Station,
    UserSite,
)
from jiceng.gas.reference_data import cylinder_terms, nominal_sizes
from jiceng.gas.selectors import cylinder_uri

MAX_IDENTIFIER = 120
DEVICE_KEY_PREFIX = "jcd_"


class DuplicateCylinder(Exception):
    """A cylinder with this identifier is registered already."""


def station_create(
    *,
    code: str,
    name: str,
    kind: str,
    region_code: str,
    parent: Station | None = None,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    phone: str = "",
) -> Station:
    if kind not in Station.Kind.values:
        raise ValidationError({"kind": _("Unknown station kind: %s") % kind})
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code: %s") % region_code})
    return Station.objects.create(
        code=code,
        name=name,
        kind=kind,
        region=region,
        parent=parent,
        address=address,
        lat=lat,
        lon=lon,
        phone=phone,
    )


def cylinder_register(
    *,
    actor: User | None,
    identifier: str,
    manufactured_on: date,
    nominal_kg: int,
    last_inspected_on: date | None,
    station: str,
    design_life_years: int | None = None,
    manufacturer: str = "",
) -> Cylinder:
    """Register a cylinder with its owner station. Its dates follow from the cylinder rules.
    A cylinder already seen in events (unregistered) becomes registered; a registered one is a
    duplicate."""
    uri = cylinder_uri(identifier or "")
    if not identifier or not identifier.strip() or len(uri) > MAX_IDENTIFIER or " " in uri:
        raise ValidationError({"identifier": _("Give the cylinder's identifier (no spaces).")})
    if nominal_kg not in nominal_sizes():
        raise ValidationError({"nominal_kg": _("The size must be one of %s kg.") % nominal_sizes()})
    today = timezone.localdate()
    if manufactured_on > today:
        raise ValidationError({"manufactured_on": _("The manufacture date is in the future.")})
    if last_inspected_on is not None and not manufactured_on <= last_inspected_on <= today:
        raise ValidationError(
            {"last_inspected_on": _("The inspection date must lie between manufacture and today.")}
        )
    life, interval = cylinder_terms(nominal_kg)
    if design_life_years is not None:
        if not 1 <= design_life_years <= 50:
            raise ValidationError(
                {"design_life_years": _("The design life must be 1 to 50 years.")}
            )
        life = design_life_years
    owner = Station.objects.filter(code=station).first()
    if owner is None:
        raise ValidationError({"station": _("Unknown station: %s") % station})
    check_may_write_in(actor, owner.region_id)
    values = {
        "registered": True,
        "manufacturer": manufacturer[:100],
        "manufactured_on": manufactured_on,
        "nominal_kg": nominal_kg,
        "design_life_years": life,
        "inspection_interval_years": interval,
        "last_inspected_on": last_inspected_on,
        "next_inspection_due": next_inspection_due(
            last_inspected_on=last_inspected_on,
            manufactured_on=manufactured_on,
            interval_years=interval,
        ),
        "end_of_life": end_of_life(manufactured_on, life),
        "owner": owner,
    }
    try:
        with transaction.atomic():
            existing = Cylinder.objects.select_for_update().filter(identifier=uri).first()
            if existing is not None:
                if existing.registered:
                    raise DuplicateCylinder(uri)
                for field, value in values.items():
                    setattr(existing, field, value)
                existing.save(update_fields=list(values))
                return existing
            return Cylinder.objects.create(
                identifier=uri, state=CylinderState.IN_STOCK, location_station=owner, **values
            )
    except IntegrityError:
        raise DuplicateCylinder(uri) from None


def user_site_register(
    *,
    actor: User | None,
    name: str,
    kind: str,
    region_code: str,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    station: Station | None = None,
) -> UserSite:
    if kind not in UserSite.Kind.values:
        raise ValidationError({"kind": _("Unknown site kind: %s") % kind})
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code: %s") % region_code})
    check_may_write_in(actor, region.code)
    with transaction.atomic():
        site = Site.objects.create(
            name=name[:200],
            kind=Site.Kind.DWELLING if kind == UserSite.Kind.HOUSEHOLD else Site.Kind.PREMISES,
            region=region,
            address=address[:300],
            lat=lat,
            lon=lon,
            qr_token=Site.new_qr_token(),
        )
        return UserSite.objects.create(
            site=site,
            kind=kind,
            region=region,
            contact_name=contact_name[:50],
            contact_phone=contact_phone[:30],
            station=station,
        )


def delivery_worker_create(
    *, name: str, station: Station, phone: str = "", user: User | None = None
) -> DeliveryWorker:
    return DeliveryWorker.objects.create(name=name, station=station, phone=phone, user=user)


def station_staff_set(*, actor: User | None, station: Station, users: Iterable[User]) -> Station:
    """Make `users` the staff of `station` (replacing the previous staff). Only users whose
    region lies in the station's region or contains it may be its staff."""
    check_may_manage_station(actor, station)
    chosen = list(dict.fromkeys(users))
    for user in chosen:
        if user.region_id is None or not (
            code_within(user.region_id, station.region_id)
            or code_within(station.region_id, user.region_id)
        ):
            raise ValidationError(
                {
                    "staff": _("%(user)s belongs to another region than the station.")
                    % {"user": user}
                }
            )
    station.staff.set(chosen)
    return station


def scale_device_create(
    *, actor: User | None, station: Station, name: str
) -> tuple[ScaleDevice, str]:
    """A scale device bound to `station`, with its key; the plain key is returned once and only
    its SHA-256 is stored."""
    check_may_manage_station(actor, station)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the device a name.")})
    if not station.is_active:
        raise ValidationError({"station": _("The station is closed.")})
    plain, key_fields = key_new(DEVICE_KEY_PREFIX)
    device = ScaleDevice.objects.create(
        name=name[:100], station=station, created_by=actor, **key_fields
    )
    return device, plain


def scale_device_revoke(*, actor: User | None, device: ScaleDevice) -> ScaleDevice:
    check_may_manage_station(actor, device.station)
    key_revoke(device)
    return device


def scale_device_authenticate(plain: str) -> ScaleDevice | None:
    """The device a key belongs to, or None for an unknown or revoked key, or a closed station."""
    devices = ScaleDevice.objects.select_related("station", "station__region").filter(
        station__is_active=True
    )
    return key_holder_find(devices, plain, prefix=DEVICE_KEY_PREFIX)
