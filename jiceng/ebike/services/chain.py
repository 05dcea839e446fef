"""What e-bike events mean for the registries (the chain from sale to scrapping), applied inside
the ledger's capture transaction (registered in EbikeConfig.ready()).

Identifiers: `urn:jiceng:ebike:<plate or frame number>`, `urn:jiceng:battery:<code>`,
`urn:jiceng:shop:<credit code>`, `urn:jiceng:recycler:<credit code>`. Business steps: the CBV's
`retail_selling`, `repairing`, `decommissioning`, `destroying`, and the project's
`urn:jiceng:bizstep:registering`, `…:modifying`, `…:trading_in`, `…:battery_swapping`.

For the events of one captured document, set-based: refuse the whole document when it names a
shop or recycler this county does not know; keep e-bikes seen but never registered (with
`registered=False`); move bikes and batteries through their states in event-time order; flag
(and keep) a sale that breaks a sale rule (a GB 17761-2018 bike after 2025-11-30, a lithium
battery without CCC from 2025-11-01; rules as data) and a modification, each opening a case —
one per shop, rule and document — for market supervision or the traffic police; refresh the
colours of the buildings whose bikes changed.

An event describes a bike or battery that the registry does not hold through its `ilmd`
(`standard`, `chemistry`, `ccc`, optionally with a namespace prefix such as `jiceng:standard`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.ebike.models import (
    BATTERY_URN,
    BUILDING_URN,
    EBIKE_URN,
    RECYCLER_URN,
    SHOP_URN,
    Battery,
    Ebike,
    EbikeFlag,
    EbikeState,
    Shop,
    Standard,
)
from jiceng.ebike.reference_data import (
    frame_number_valid,
    modification_rule,
    plate_valid,
    sale_rules,
)

if TYPE_CHECKING:
    from jiceng.ledger.hooks import CapturedEvent

CBV_STEP = "https://ref.gs1.org/cbv/BizStep-"
OUR_STEP = "urn:jiceng:bizstep:"
STEP_REGISTERING = OUR_STEP + "registering"
STEP_MODIFYING = OUR_STEP + "modifying"
STEP_TRADING_IN = OUR_STEP + "trading_in"
STEP_BATTERY_SWAPPING = OUR_STEP + "battery_swapping"
SCRAPPING_STEPS = ("decommissioning", "destroying")


def _step(uri: str) -> str:
    if uri.startswith(CBV_STEP):
        return uri.removeprefix(CBV_STEP)
    return uri.removeprefix(OUR_STEP)


def _ilmd(event: CapturedEvent, name: str) -> Any:
    ilmd = event.body.get("ilmd")
    if not isinstance(ilmd, dict):
        return None
    for key, value in ilmd.items():
        if key == name or key.endswith(":" + name):
            return value
    return None


def _shop_code(uri: str | None) -> str | None:
    for prefix in (SHOP_URN, RECYCLER_URN):
        if uri and uri.startswith(prefix):
            return uri.removeprefix(prefix)
    return None


def _objects(event: CapturedEvent) -> list[str]:
    found = [*event.epcs, *event.child_epcs]
    if event.parent_id:
        found.append(event.parent_id)
    return list(dict.fromkeys(found))


def _ours(event: CapturedEvent) -> bool:
    return any(o.startswith((EBIKE_URN, BATTERY_URN)) for o in _objects(event)) or any(
        _shop_code(p) is not None for p in (event.biz_location, event.read_point)
    )


def bike_key(uri: str) -> str:
    """What follows urn:jiceng:ebike: — a plate or a frame number."""
    return uri.removeprefix(EBIKE_URN)


@dataclass
class _Outcome:
    changed: dict[int, Ebike] = field(default_factory=dict)
    batteries: dict[int, Battery] = field(default_factory=dict)
    buildings: set[int] = field(default_factory=set)
    flags: list[EbikeFlag] = field(default_factory=list)
    flagged_events: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # (shop id or 0, case category) -> [(flag, event, reason)]
    cases: dict[tuple[int, str], list[tuple[EbikeFlag, CapturedEvent, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def ebike_events_apply(events: list[CapturedEvent]) -> None:
    """The capture handler (see the module docstring)."""
    mine = [e for e in events if _ours(e)]
    if not mine:
        return
    shops = _shops(mine)
    bikes = _bikes(mine, shops)
    codes = {
        o.removeprefix(BATTERY_URN) for e in mine for o in _objects(e) if o.startswith(BATTERY_URN)
    }
    batteries = {b.code: b for b in Battery.objects.filter(code__in=codes)} if codes else {}
    outcome = _Outcome()
    for event in sorted(mine, key=lambda e: (e.event_time, e.pk)):
        _apply(event, shops, bikes, batteries, outcome)
    for bike in outcome.changed.values():
        bike.save(update_fields=["state", "shop", "bought_on", "last_event_at", "region"])
    for battery in outcome.batteries.values():
        battery.save(update_fields=["ebike", "state"])
    _flag(outcome)
    if outcome.buildings:
        from jiceng.ebike.services.colours import building_colours_refresh

        building_colours_refresh(building_ids=outcome.buildings)


def _shops(events: list[CapturedEvent]) -> dict[str, Shop]:
    """The shops the events name, by credit code; a document naming one we do not know (or a
    recycler as a shop, or the other way round) is refused whole."""
    from jiceng.ledger.hooks import CaptureRefused

    named = {
        uri for e in events for uri in (e.biz_location, e.read_point) if _shop_code(uri) is not None
    }
    if not named:
        return {}
    found = {
        s.identifier: s for s in Shop.objects.filter(credit_code__in={_shop_code(u) for u in named})
    }
    unknown = sorted(str(uri) for uri in named if uri not in found)
    if unknown:
        raise CaptureRefused([_("Unknown shop %s") % uri for uri in unknown])
    return {s.credit_code: s for s in found.values()}


def _bikes(events: list[CapturedEvent], shops: dict[str, Shop]) -> dict[str, Ebike]:
    """Every bike the events name, by the URI they name it with (found by identifier, plate or
    frame number); bikes never seen are created, unregistered, at the first shop naming them."""
    uris = {o for e in events for o in _objects(e) if o.startswith(EBIKE_URN)}
    if not uris:
        return {}
    keys = {bike_key(u) for u in uris}
    rows = list(
        Ebike.objects.filter(
            Q(identifier__in=uris) | Q(plate__in=keys) | Q(frame_number__in=keys)
        ).select_for_update()
    )
    found: dict[str, Ebike] = {}
    for uri in uris:
        key = bike_key(uri)
        for bike in rows:
            if uri == bike.identifier or key in (bike.plate, bike.frame_number):
                found[uri] = bike
                break
    missing = sorted(uris - set(found))
    if missing:
        new = []
        for uri in missing:
            first = next(e for e in events if uri in _objects(e))
            shop = shops.get(_shop_code(first.biz_location) or _shop_code(first.read_point) or "")
            standard = _ilmd(first, "standard")
            key = bike_key(uri)
            new.append(
                Ebike(
                    identifier=uri,
                    registered=False,
                    # The key says itself which it is (a plate begins with Chinese characters).
                    frame_number=key if frame_number_valid(key) else None,
                    plate=key if plate_valid(key) and not frame_number_valid(key) else None,
                    standard=standard if standard in Standard.values else "",
                    state=EbikeState.IN_STOCK,
                    region_id=shop.region_id if shop else None,
                )
            )
        Ebike.objects.bulk_create(new)
        for bike in Ebike.objects.filter(identifier__in=missing):
            found[bike.identifier] = bike
    return found


def _apply(
    event: CapturedEvent,
    shops: dict[str, Shop],
    bikes: dict[str, Ebike],
    batteries: dict[str, Battery],
    outcome: _Outcome,
) -> None:
    step = _step(event.biz_step or "")
    shop = shops.get(_shop_code(event.biz_location) or _shop_code(event.read_point) or "")
    day = timezone.localdate(event.event_time)
    objects = _objects(event)
    named_bikes = [bikes[o] for o in objects if o in bikes]
    named_batteries = [
        batteries[o.removeprefix(BATTERY_URN)]
        for o in objects
        if o.startswith(BATTERY_URN) and o.removeprefix(BATTERY_URN) in batteries
    ]
    unknown_batteries = [
        o
        for o in objects
        if o.startswith(BATTERY_URN) and o.removeprefix(BATTERY_URN) not in batteries
    ]
    if step in ("retail_selling", "battery_swapping"):
        _sale_rules(
            event, step, shop, day, named_bikes, named_batteries, unknown_batteries, outcome
        )
    if step == "modifying":
        rule = modification_rule()
        targets: list[Ebike | None] = [*named_bikes] or [None]
        for bike in targets:
            _flag_one(
                outcome,
                event,
                kind=EbikeFlag.Kind.MODIFICATION,
                reason=rule["reason"],
                case_category=rule["case_category"],
                shop=shop,
                bike=bike,
            )
    for bike in named_bikes:
        if bike.last_event_at is not None and event.event_time < bike.last_event_at:
            continue  # a late event: kept in the ledger, the bike has moved on since
        before = bike.state
        if step == "retail_selling":
            bike.state = EbikeState.IN_USE
            if shop is not None:
                bike.shop = shop
                bike.region_id = bike.region_id or shop.region_id
            bike.bought_on = bike.bought_on or day
        elif step == "registering" and bike.state == EbikeState.IN_STOCK:
            bike.state = EbikeState.IN_USE
        elif step == "trading_in":
            bike.state = EbikeState.TRADED_IN
        elif step in SCRAPPING_STEPS:
            bike.state = EbikeState.SCRAPPED
            for battery in Battery.objects.filter(ebike=bike, state=Battery.State.IN_USE):
                battery = outcome.batteries.get(battery.pk, battery)
                battery.state = Battery.State.RECYCLED
                outcome.batteries[battery.pk] = battery
        if step == "battery_swapping" or (step == "retail_selling" and named_batteries):
            for battery in Battery.objects.filter(ebike=bike, state=Battery.State.IN_USE):
                if battery.code not in {b.code for b in named_batteries}:
                    battery = outcome.batteries.get(battery.pk, battery)
                    battery.state = Battery.State.REMOVED
                    outcome.batteries[battery.pk] = battery
            for battery in named_batteries:
                battery.ebike, battery.state = bike, Battery.State.IN_USE
                outcome.batteries[battery.pk] = battery
        bike.last_event_at = event.event_time
        outcome.changed[bike.pk] = bike
        if bike.state != before and bike.building_id is not None:
            outcome.buildings.add(bike.building_id)
    if not named_bikes and step in SCRAPPING_STEPS:
        for battery in named_batteries:
            battery.state = Battery.State.RECYCLED
            outcome.batteries[battery.pk] = battery


def _sale_rules(
    event: CapturedEvent,
    step: str,
    shop: Shop | None,
    day: date,
    bikes: list[Ebike],
    batteries: list[Battery],
    unknown_batteries: list[str],
    outcome: _Outcome,
) -> None:
    described_chemistry = _ilmd(event, "chemistry")
    described_ccc = _ilmd(event, "ccc")
    for rule in sale_rules():
        if step == "retail_selling":
            for bike in bikes:
                standard = bike.standard or _ilmd(event, "standard")
                if rule.bike_breaks(standard=standard, day=day):
                    _flag_one(
                        outcome,
                        event,
                        kind=rule.flag,
                        reason=rule.reason,
                        case_category=rule.case_category,
                        shop=shop,
                        bike=bike,
                    )
        for battery in batteries:
            if rule.battery_breaks(chemistry=battery.chemistry, ccc=battery.ccc, day=day):
                _flag_one(
                    outcome,
                    event,
                    kind=rule.flag,
                    reason=rule.reason,
                    case_category=rule.case_category,
                    shop=shop,
                    bike=bikes[0] if bikes else None,
                    battery=battery,
                )
        if (
            unknown_batteries
            and isinstance(described_ccc, bool)
            and rule.battery_breaks(chemistry=described_chemistry, ccc=described_ccc, day=day)
        ):
            _flag_one(
                outcome,
                event,
                kind=rule.flag,
                reason=f"{rule.reason} ({', '.join(unknown_batteries)})",
                case_category=rule.case_category,
                shop=shop,
                bike=bikes[0] if bikes else None,
            )


def _flag_one(
    outcome: _Outcome,
    event: CapturedEvent,
    *,
    kind: str,
    reason: str,
    case_category: str,
    shop: Shop | None,
    bike: Ebike | None = None,
    battery: Battery | None = None,
) -> None:
    flag = EbikeFlag(
        ebike=bike,
        battery=battery,
        kind=kind,
        event_id=event.event_id,
        reasons=[reason],
        shop=shop,
        at=event.event_time,
    )
    outcome.flags.append(flag)
    outcome.flagged_events[reason].append(event.pk)
    outcome.cases[(shop.pk if shop else 0, case_category)].append((flag, event, reason))


def _flag(outcome: _Outcome) -> None:
    from jiceng.ledger.services import events_flag

    for reason, pks in outcome.flagged_events.items():
        events_flag(event_pks=sorted(set(pks)), reason=reason)
    for (shop_pk, category), items in outcome.cases.items():
        case = _case_open(shop_pk, category, items)
        for flag, _event, _reason in items:
            flag.case = case
    EbikeFlag.objects.bulk_create(outcome.flags)


def _case_open(
    shop_pk: int, category: str, items: list[tuple[EbikeFlag, CapturedEvent, str]]
) -> Any:
    """One case per shop, rule and document, listing every flagged event."""
    from jiceng.cases.models import Source
    from jiceng.cases.services.intake import case_report
    from jiceng.core.models import Region

    shop = Shop.objects.filter(pk=shop_pk).first() if shop_pk else None
    lines = []
    for flag, event, reason in items[:50]:
        what = flag.ebike.identifier if flag.ebike else ""
        if flag.battery is not None:
            what = f"{what} {flag.battery.identifier}".strip()
        lines.append(
            f"{timezone.localtime(event.event_time):%Y-%m-%d %H:%M} {what}: {reason}".strip()
        )
    if len(items) > 50:
        lines.append(_("… and %d more") % (len(items) - 50))
    header = _("%(shop)s: %(n)d e-bike event(s) break the rules.") % {
        "shop": shop.name if shop else _("No shop named"),
        "n": len(items),
    }
    region_code = shop.region_id if shop else None
    if region_code is None:
        bike = next((f.ebike for f, _e, _r in items if f.ebike and f.ebike.region_id), None)
        region_code = bike.region_id if bike else None
    if region_code is None:
        county = Region.objects.filter(level="county").order_by("code").first()
        region_code = county.code if county else ""
    return case_report(
        actor=None,
        category=category,
        description="\n".join([header, *lines]),
        region_code=region_code,
        address=shop.address if shop else "",
        source=Source.MODULE,
        source_ref=f"ebike:{items[0][1].event_id}"[:100],
    )


# --- the service's own events -------------------------------------------------------------------


def event_document(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(),
        "epcisBody": {"eventList": events},
    }


def registering_record(*, bike: Ebike, battery: Battery | None) -> None:
    """Record a registration (上牌) in the ledger: the bike's chain starts with it. Called by
    the registration service, which has checked its caller: captured as the system."""
    from jiceng.ledger.services import document_capture

    now = timezone.localtime()
    epcs = [bike.identifier] + ([battery.identifier] if battery is not None else [])
    event: dict[str, Any] = {
        "eventID": f"urn:uuid:{uuid.uuid4()}",
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": STEP_REGISTERING,
        "disposition": "active",
        "epcList": epcs,
        "eventTime": now.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": now.strftime("%z")[:3] + ":" + now.strftime("%z")[3:],
        "ilmd": {"jiceng:plate": bike.plate or "", "jiceng:standard": bike.standard},
    }
    if bike.building_id is not None:
        event["bizLocation"] = {"id": f"{BUILDING_URN}{bike.building_id}"}
    region = bike.region if bike.region_id else None
    job = document_capture(document=event_document([event]), actor=None, region=region)
    if not job.success:  # pragma: no cover - the document is the service's own
        raise RuntimeError("; ".join(str(e) for e in job.errors))
