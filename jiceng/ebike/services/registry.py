"""The e-bike registries: buildings and their live counts, shops, e-bikes with their batteries,
charging places, converted ground floors and lift blockers (with their keys).

Every service validates everything before it writes anything, in one transaction; a field that
is wrong is named in the ValidationError."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.models import Region, User
from jiceng.core.scope import code_in_scope
from jiceng.core.secret_keys import key_holder_find, key_new, key_revoke
from jiceng.ebike import access
from jiceng.ebike.models import (
    EBIKE_URN,
    HIGH_RISE_METRES,
    Battery,
    Building,
    ChargingPlace,
    Ebike,
    EbikeState,
    GroundFloorSpace,
    LiftBlocker,
    LiveCount,
    Shop,
    Standard,
)
from jiceng.ebike.reference_data import (
    battery_code_valid,
    frame_number_valid,
    lithium_max_voltage,
    plate_valid,
)

DEVICE_KEY_PREFIX = "jce_"
CREDIT_CODE_LENGTH = 18


class DuplicateEbike(Exception):
    """A plate, frame number or battery code is registered already (the field in `field`)."""

    def __init__(self, field: str, value: str):
        self.field, self.value = field, value
        super().__init__(f"{field}: {value}")


def _region(code: str, field: str = "region") -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        raise ValidationError({field: _("Unknown region code: %s") % code})
    return region


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationError({field: _("The text holds a NUL character.")})
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %d characters.") % limit})
    return text


def _point(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ValidationError({"lat": _("Give both latitude and longitude.")})
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({"lat": _("Coordinates are out of range.")})


# --- buildings --------------------------------------------------------------------------------


def building_create(
    *,
    actor: User | None,
    name: str,
    region_code: str,
    kind: str = Building.Kind.COMPOUND,
    compound: str = "",
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    floors: int = 1,
    households: int = 0,
    height_m: Decimal | float | None = None,
    property_company: str = "",
    property_manager: User | None = None,
) -> Building:
    """A residential building in a grid (or the finest region known). High-rise when its
    height is over 27 m (or, without a height, when it has more than 9 floors)."""
    name = _text(name, "name", 200, required=True)
    region = _region(region_code)
    access.check_may_write_in(actor, region.code)
    if kind not in Building.Kind.values:
        raise ValidationError({"kind": _("Unknown kind: %s") % kind})
    if floors < 1 or floors > 200:
        raise ValidationError({"floors": _("Between 1 and 200 floors.")})
    if households < 0:
        raise ValidationError({"households": _("Not negative.")})
    height = None
    if height_m is not None:
        height = Decimal(str(height_m))
        if height <= 0 or height > 1000:
            raise ValidationError({"height_m": _("Between 0 and 1,000 metres.")})
    _point(lat, lon)
    high_rise = height > HIGH_RISE_METRES if height is not None else floors > 9
    return Building.objects.create(
        name=name,
        kind=kind,
        compound=_text(compound, "compound", 100),
        region=region,
        address=_text(address, "address", 300),
        lat=lat,
        lon=lon,
        floors=floors,
        households=households,
        height_m=height,
        high_rise=high_rise,
        property_company=_text(property_company, "property_company", 200),
        property_manager=property_manager,
    )


def building_property_manager_set(
    *, actor: User | None, building: Building, manager: User | None
) -> Building:
    """Name the building's property manager (a user with the property_manager role whose scope
    holds the building), or none."""
    access.check_may_write_in(actor, building.region_id)
    if manager is not None:
        from jiceng.core.roles import has_role

        if not has_role(manager, "property_manager") or not code_in_scope(
            manager, building.region_id
        ):
            raise ValidationError(
                {"property_manager": _("Choose a property manager of the building's region.")}
            )
    building.property_manager = manager
    building.save(update_fields=["property_manager"])
    return building


def live_count_record(
    *,
    actor: User | None,
    building: Building,
    counted: int,
    counted_at: datetime | None = None,
    note: str = "",
) -> LiveCount:
    """The grid's live count (动态排摸) of e-bikes kept in a building, entered on a phone; the
    building shows the latest one beside its registered count."""
    access.check_may_count(actor, building)
    if counted < 0 or counted > 100_000:
        raise ValidationError({"counted": _("Between 0 and 100,000.")})
    now = timezone.now()
    at = counted_at or now
    if at > now + timedelta(minutes=5):
        raise ValidationError({"counted_at": _("Not in the future.")})
    note = _text(note, "note", 300)
    with transaction.atomic():
        count = LiveCount.objects.create(
            building=building, counted=counted, counted_at=at, counted_by=actor, note=note
        )
        if building.counted_at is None or at >= building.counted_at:
            Building.objects.filter(pk=building.pk).update(counted=counted, counted_at=at)
            building.counted, building.counted_at = counted, at
    return count


# --- shops ------------------------------------------------------------------------------------


def shop_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    credit_code: str,
    region_code: str,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    phone: str = "",
    owners: list[User] | None = None,
) -> Shop:
    """A shop that sells or repairs e-bikes, or a recycling point; identified in the chain by
    its unified social credit code."""
    name = _text(name, "name", 200, required=True)
    if kind not in Shop.Kind.values:
        raise ValidationError({"kind": _("Unknown kind: %s") % kind})
    credit_code = _text(credit_code, "credit_code", CREDIT_CODE_LENGTH, required=True).upper()
    if len(credit_code) != CREDIT_CODE_LENGTH or not credit_code.isalnum():
        raise ValidationError({"credit_code": _("A credit code has 18 letters and digits.")})
    region = _region(region_code)
    access.check_may_write_in(actor, region.code)
    _point(lat, lon)
    if Shop.objects.filter(credit_code=credit_code).exists():
        raise ValidationError({"credit_code": _("A shop with this credit code exists.")})
    with transaction.atomic():
        shop = Shop.objects.create(
            name=name,
            kind=kind,
            credit_code=credit_code,
            region=region,
            address=_text(address, "address", 300),
            lat=lat,
            lon=lon,
            phone=_text(phone, "phone", 30),
        )
        if owners:
            shop.owners.set(owners)
    return shop


# --- e-bikes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatteryIn:
    code: str
    chemistry: str
    voltage_v: Decimal
    capacity_ah: Decimal
    ccc: bool


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Not a number.")}) from None
    if not number.is_finite() or number <= low or number > high:
        raise ValidationError(
            {field: _("Between %(low)s and %(high)s.") % {"low": low, "high": high}}
        )
    return number.quantize(Decimal("0.1"))


def battery_checked(data: dict[str, Any] | BatteryIn | None) -> BatteryIn | None:
    """A battery's fields checked (ValidationError naming `battery.<field>`); a lithium
    battery claimed compliant (CCC) may not exceed the voltage limit (60 V, GB 43854-2024)."""
    if data is None:
        return None
    if isinstance(data, BatteryIn):
        data = data.__dict__
    code = str(data.get("code") or "").strip()
    if not battery_code_valid(code):
        raise ValidationError({"battery.code": _("Not a battery code: %s") % code})
    chemistry = str(data.get("chemistry") or "")
    if chemistry not in Battery.Chemistry.values:
        raise ValidationError({"battery.chemistry": _("Unknown chemistry: %s") % chemistry})
    voltage = _decimal(
        data.get("voltage_v"), "battery.voltage_v", low=Decimal(0), high=Decimal(200)
    )
    capacity = _decimal(
        data.get("capacity_ah"), "battery.capacity_ah", low=Decimal(0), high=Decimal(1000)
    )
    ccc = data.get("ccc")
    if not isinstance(ccc, bool):
        raise ValidationError({"battery.ccc": _("Say whether the battery has CCC.")})
    limit = lithium_max_voltage()
    if chemistry == Battery.Chemistry.LITHIUM and ccc and voltage > limit:
        raise ValidationError(
            {
                "battery.voltage_v": _(
                    "A compliant lithium battery has at most %(limit)s V, not %(voltage)s V."
                )
                % {"limit": limit, "voltage": voltage}
            }
        )
    return BatteryIn(code, chemistry, voltage, capacity, ccc)


@dataclass(frozen=True)
class EbikeIn:
    plate: str
    frame_number: str
    standard: str
    bought_on: date | None
    building: Building
    owner_name: str
    owner_phone: str
    battery: BatteryIn | None


def ebike_checked(
    *,
    actor: User | None,
    plate: str,
    frame_number: str,
    standard: str,
    bought_on: date | None,
    building: Building | int | None,
    owner_name: str = "",
    owner_phone: str = "",
    battery: dict[str, Any] | BatteryIn | None = None,
    buildings: dict[int, Building] | None = None,
    today: date | None = None,
) -> EbikeIn:
    """One e-bike's fields checked, without touching the database beyond the building (given
    from `buildings` by the import). ValidationError names the field."""
    plate = (plate or "").strip().upper()
    if not plate_valid(plate):
        raise ValidationError({"plate": _("Not a plate: %s") % plate})
    frame_number = (frame_number or "").strip().upper()
    if not frame_number_valid(frame_number):
        raise ValidationError({"frame_number": _("Not a frame number: %s") % frame_number})
    if standard not in Standard.values:
        raise ValidationError({"standard": _("Unknown standard: %s") % standard})
    today = today or timezone.localdate()
    if bought_on is not None and bought_on > today:
        raise ValidationError({"bought_on": _("Not in the future.")})
    found: Building | None
    if isinstance(building, Building):
        found = building
    elif buildings is not None:
        found = buildings.get(building) if isinstance(building, int) else None
    else:
        found = Building.objects.filter(pk=building).first() if building else None
    if found is None or (actor is not None and not code_in_scope(actor, found.region_id)):
        raise ValidationError({"building": _("Unknown building: %s") % building})
    return EbikeIn(
        plate=plate,
        frame_number=frame_number,
        standard=standard,
        bought_on=bought_on,
        building=found,
        owner_name=_text(owner_name, "owner_name", 50),
        owner_phone=_text(owner_phone, "owner_phone", 30),
        battery=battery_checked(battery),
    )


def ebike_register(
    *,
    actor: User | None,
    plate: str,
    frame_number: str,
    standard: str,
    bought_on: date | None,
    building: Building | int | None,
    owner_name: str = "",
    owner_phone: str = "",
    battery: dict[str, Any] | BatteryIn | None = None,
) -> Ebike:
    """Register an e-bike (上牌) with its battery, for a building. A bike seen in the chain
    before (by its frame number or plate) is completed, not duplicated. The registration is
    recorded in the ledger as a `registering` event, so that the bike's chain starts with it.
    DuplicateEbike for a plate (or frame number, or battery code) registered already."""
    checked = ebike_checked(
        actor=actor,
        plate=plate,
        frame_number=frame_number,
        standard=standard,
        bought_on=bought_on,
        building=building,
        owner_name=owner_name,
        owner_phone=owner_phone,
        battery=battery,
    )
    access.check_may_write_in(actor, checked.building.region_id)
    with transaction.atomic():
        bike = _bike_upsert(checked)
        battery_row = None
        if checked.battery is not None:
            b = checked.battery
            if Battery.objects.filter(code=b.code).exclude(ebike=None).exclude(ebike=bike).exists():
                raise DuplicateEbike("battery.code", b.code)
            battery_row, _made = Battery.objects.update_or_create(
                code=b.code,
                defaults={
                    "chemistry": b.chemistry,
                    "voltage_v": b.voltage_v,
                    "capacity_ah": b.capacity_ah,
                    "ccc": b.ccc,
                    "ebike": bike,
                    "state": Battery.State.IN_USE,
                },
            )
        from jiceng.ebike.services.chain import registering_record

        registering_record(bike=bike, battery=battery_row)
        from jiceng.ebike.services.colours import building_colours_refresh

        building_colours_refresh(building_ids=[checked.building.pk])
    return bike


def _bike_upsert(checked: EbikeIn) -> Ebike:
    by_plate = Ebike.objects.filter(
        Q(plate=checked.plate) | Q(identifier=f"{EBIKE_URN}{checked.plate}")
    ).first()
    if by_plate is not None and by_plate.registered:
        raise DuplicateEbike("plate", checked.plate)
    by_frame = Ebike.objects.filter(
        Q(frame_number=checked.frame_number) | Q(identifier=f"{EBIKE_URN}{checked.frame_number}")
    ).first()
    if by_frame is not None and by_frame.registered:
        raise DuplicateEbike("frame_number", checked.frame_number)
    seen = by_frame or by_plate
    if by_frame is not None and by_plate is not None and by_frame.pk != by_plate.pk:
        raise DuplicateEbike("plate", checked.plate)
    values = {
        "plate": checked.plate,
        "frame_number": checked.frame_number,
        "registered": True,
        "standard": checked.standard,
        "bought_on": checked.bought_on,
        "owner_name": checked.owner_name,
        "owner_phone": checked.owner_phone,
        "building": checked.building,
        "region_id": checked.building.region_id,
    }
    if seen is None:
        return Ebike.objects.create(
            identifier=f"{EBIKE_URN}{checked.plate}", state=EbikeState.IN_USE, **values
        )
    # Seen in the chain first (a sale by frame number): its identifier stays what the events
    # named; a bike in stock at a shop is now in use.
    for name, value in values.items():
        setattr(seen, name, value)
    if seen.state == EbikeState.IN_STOCK:
        seen.state = EbikeState.IN_USE
    seen.save()
    return seen


# --- facilities -------------------------------------------------------------------------------


def charging_place_create(
    *,
    actor: User | None,
    name: str,
    region_code: str,
    building: Building | None = None,
    kind: str = ChargingPlace.Kind.SHED,
    ports: int = 0,
    parking_spaces: int = 0,
    protections: dict[str, bool] | None = None,
    upgraded_on: date | None = None,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> ChargingPlace:
    """A central charging and parking place with its ports and protections (timed cut-off,
    stop when full, electrical protection, sprinklers, alarm, CCTV)."""
    name = _text(name, "name", 200, required=True)
    region = _region(region_code)
    access.check_may_write_in(actor, region.code)
    if kind not in ChargingPlace.Kind.values:
        raise ValidationError({"kind": _("Unknown kind: %s") % kind})
    if not (0 <= ports <= 10_000):
        raise ValidationError({"ports": _("Between 0 and 10,000.")})
    if not (0 <= parking_spaces <= 100_000):
        raise ValidationError({"parking_spaces": _("Between 0 and 100,000.")})
    flags = {
        "timed_cutoff",
        "stop_when_full",
        "electrical_protection",
        "sprinklers",
        "alarm",
        "cctv",
    }
    protections = protections or {}
    unknown = sorted(set(protections) - flags)
    if unknown:
        raise ValidationError({"protections": _("Unknown protection: %s") % ", ".join(unknown)})
    if upgraded_on is not None and upgraded_on > timezone.localdate():
        raise ValidationError({"upgraded_on": _("Not in the future.")})
    _point(lat, lon)
    with transaction.atomic():
        place = ChargingPlace.objects.create(
            name=name,
            kind=kind,
            building=building,
            region=region,
            ports=ports,
            parking_spaces=parking_spaces,
            upgraded_on=upgraded_on,
            address=_text(address, "address", 300),
            lat=lat,
            lon=lon,
            **{k: bool(v) for k, v in protections.items()},
        )
        if building is not None:
            from jiceng.ebike.services.colours import building_colours_refresh

            building_colours_refresh(building_ids=[building.pk])
    return place


def ground_floor_create(
    *,
    actor: User | None,
    building: Building,
    area_m2: Decimal | float,
    parking_spaces: int = 0,
    ports: int = 0,
    fire_separated: bool = False,
    fire_equipment: bool = False,
    grouped_parking: bool = False,
    converted_on: date | None = None,
) -> GroundFloorSpace:
    """A ground-floor space (架空层) converted for e-bike parking."""
    access.check_may_write_in(actor, building.region_id)
    area = _decimal(area_m2, "area_m2", low=Decimal(0), high=Decimal(100_000))
    if not (0 <= ports <= 10_000):
        raise ValidationError({"ports": _("Between 0 and 10,000.")})
    if converted_on is not None and converted_on > timezone.localdate():
        raise ValidationError({"converted_on": _("Not in the future.")})
    with transaction.atomic():
        space = GroundFloorSpace.objects.create(
            building=building,
            area_m2=area,
            parking_spaces=max(parking_spaces, 0),
            ports=ports,
            fire_separated=fire_separated,
            fire_equipment=fire_equipment,
            grouped_parking=grouped_parking,
            converted_on=converted_on,
        )
        from jiceng.ebike.services.colours import building_colours_refresh

        building_colours_refresh(building_ids=[building.pk])
    return space


# --- lift blockers ----------------------------------------------------------------------------


def lift_blocker_create(
    *,
    actor: User | None,
    building: Building,
    name: str,
    lifts: int = 1,
    installed_on: date | None = None,
) -> tuple[LiftBlocker, str]:
    """A smart lift-blocking system of a building, with its key: the plain key is returned once
    and only its SHA-256 is stored. The building's property manager or a region administrator."""
    access.check_may_manage_building(actor, building)
    name = _text(name, "name", 100, required=True)
    if not (1 <= lifts <= 100):
        raise ValidationError({"lifts": _("Between 1 and 100 lifts.")})
    if installed_on is not None and installed_on > timezone.localdate():
        raise ValidationError({"installed_on": _("Not in the future.")})
    plain, key_fields = key_new(DEVICE_KEY_PREFIX)
    device = LiftBlocker.objects.create(
        name=name,
        building=building,
        lifts=lifts,
        installed_on=installed_on,
        created_by=actor,
        **key_fields,
    )
    return device, plain


def lift_blocker_revoke(*, actor: User | None, device: LiftBlocker) -> LiftBlocker:
    access.check_may_manage_building(actor, device.building)
    key_revoke(device)
    return device


def lift_blocker_authenticate(plain: str) -> LiftBlocker | None:
    """The lift blocker a key belongs to, or None for an unknown or revoked key."""
    devices = LiftBlocker.objects.select_related("building")
    return key_holder_find(devices, plain, prefix=DEVICE_KEY_PREFIX)
