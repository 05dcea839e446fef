"""Orders by phone: the call centre takes them and assigns the nearest supply station with
stock; the delivery worker completes them by scanning the full cylinders handed over and the
empties taken back, which are captured as EPCIS events through the ledger."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.models import User
from jiceng.core.scope import code_in_scope, town_of
from jiceng.gas.access import check_may_take_orders
from jiceng.gas.models import Cylinder, CylinderState, DeliveryWorker, Order, Station, UserSite
from jiceng.gas.reference_data import nominal_sizes, service_terms
from jiceng.gas.selectors import cylinder_uri
from jiceng.gas.services.capture import STEP_COLLECTING, STEP_DELIVERING

MAX_COUNT = 20
EVENT_NAMESPACE = uuid.UUID("6f1f4a52-3c1e-4d0e-9a57-2f0d7c1b9e11")


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def nearest_station_with_stock(
    *, site: UserSite, nominal_kg: int, count: int
) -> tuple[Station | None, dict[int, int]]:
    """The nearest supply station (or delivery point) holding at least `count` full cylinders of
    the size, and the stock of every station of that size."""
    stock = dict(
        Cylinder.objects.filter(
            state=CylinderState.FILLED,
            registered=True,
            nominal_kg=nominal_kg,
            location_station__kind__in=[Station.Kind.SUPPLY, Station.Kind.DELIVERY_POINT],
        )
        .values_list("location_station_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    candidates = Station.objects.filter(pk__in=[pk for pk, n in stock.items() if n >= count])
    lat, lon = site.site.lat, site.site.lon
    best, best_km = None, math.inf
    for station in candidates:
        if lat is None or lon is None or station.lat is None or station.lon is None:
            distance = 0.0 if town_of(station.region_id) == town_of(site.region_id) else 1e6
        else:
            distance = _km(lat, lon, station.lat, station.lon)
        if distance < best_km:
            best, best_km = station, distance
    return best, stock


def order_take(
    *,
    actor: User,
    site_id: int,
    nominal_kg: int,
    count: int,
    caller_phone: str = "",
    at: datetime | None = None,
) -> Order:
    """Take an order for a site; assign the nearest station with stock; promise a window."""
    check_may_take_orders(actor)
    site = UserSite.objects.select_related("site").filter(pk=site_id).first()
    if site is None or not code_in_scope(actor, site.region_id):
        raise ValidationError({"site": _("Unknown site.")})
    if nominal_kg not in nominal_sizes():
        raise ValidationError({"nominal_kg": _("The size must be one of %s kg.") % nominal_sizes()})
    if not 1 <= count <= MAX_COUNT:
        raise ValidationError({"count": _("Order 1 to %d cylinders.") % MAX_COUNT})
    station, _stock = nearest_station_with_stock(site=site, nominal_kg=nominal_kg, count=count)
    if station is None:
        raise ValidationError(
            {
                "count": _("No supply station has %(n)d full %(kg)d kg cylinders in stock.")
                % {"n": count, "kg": nominal_kg}
            }
        )
    now = at or timezone.now()
    hours = float(service_terms()["delivery_window_hours"])
    with transaction.atomic():
        order = Order.objects.create(
            number=f"tmp-{uuid.uuid4().hex[:24]}",
            site=site,
            region_id=site.region_id,
            caller_phone=caller_phone[:30],
            nominal_kg=nominal_kg,
            count=count,
            station=station,
            taken_at=now,
            window_start=now,
            window_end=now + timedelta(hours=hours),
            taken_by=actor,
        )
        order.number = f"G{timezone.localtime(now):%Y%m%d}-{order.pk:06d}"
        order.save(update_fields=["number"])
    return order


def _event(
    order: Order, step: str, epcs: list[str], at: datetime, *, read_point: str, biz_location: str
) -> dict[str, Any]:
    local = timezone.localtime(at)
    offset = local.strftime("%z")
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:{uuid.uuid5(EVENT_NAMESPACE, f'{order.number}:{step}')}",
        "eventTime": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "eventTimeZoneOffset": f"{offset[:3]}:{offset[3:]}",
        "epcList": epcs,
        "action": "OBSERVE",
        "bizStep": step,
        "readPoint": {"id": read_point},
        "bizLocation": {"id": biz_location},
    }


def order_deliver(
    *,
    actor: User,
    order_id: int,
    delivered: list[str],
    collected: list[str],
    at: datetime | None = None,
) -> Order:
    """Complete an order by its scans: the full cylinders handed over (as many as ordered, of
    the ordered size) and the empties taken back. Captured as one EPCIS document; a retry of a
    delivered order answers the order as it is."""
    from jiceng.ledger.services import document_capture

    now = at or timezone.now()
    delivered = list(dict.fromkeys(cylinder_uri(x) for x in delivered if x.strip()))
    collected = list(dict.fromkeys(cylinder_uri(x) for x in collected if x.strip()))
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            .select_related("site", "station")
            .filter(pk=order_id)
            .first()
        )
        if order is None or not code_in_scope(actor, order.region_id):
            raise ValidationError({"order": _("Unknown order.")})
        if order.state == Order.State.DELIVERED:
            return order
        if order.state != Order.State.OPEN:
            raise ValidationError({"order": _("The order is cancelled.")})
        if len(delivered) != order.count:
            raise ValidationError(
                {
                    "delivered": _("Scan the %(n)d full cylinders of the order (%(m)d scanned).")
                    % {"n": order.count, "m": len(delivered)}
                }
            )
        found = {c.identifier: c for c in Cylinder.objects.filter(identifier__in=delivered)}
        problems = []
        for uri in delivered:
            cylinder = found.get(uri)
            if cylinder is None or not cylinder.registered:
                problems.append(_("%s is not registered.") % uri)
            elif cylinder.state != CylinderState.FILLED:
                problems.append(
                    _("%(c)s is not a full cylinder (%(s)s).")
                    % {"c": uri, "s": cylinder.get_state_display()}
                )
            elif cylinder.nominal_kg != order.nominal_kg:
                problems.append(_("%(c)s is not %(kg)d kg.") % {"c": uri, "kg": order.nominal_kg})
        if problems:
            raise ValidationError({"delivered": problems})
        events = [
            _event(
                order,
                STEP_DELIVERING,
                delivered,
                now,
                read_point=order.station.identifier,
                biz_location=order.site.identifier,
            )
        ]
        if collected:
            events.append(
                _event(
                    order,
                    STEP_COLLECTING,
                    collected,
                    now + timedelta(seconds=1),
                    read_point=order.station.identifier,
                    biz_location=order.site.identifier,
                )
            )
        document = {
            "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "epcisBody": {"eventList": events},
        }
        job = document_capture(document=document, actor=actor)
        if not job.success:
            raise ValidationError({"delivered": [str(e) for e in job.errors] or [_("Refused.")]})
        worker = DeliveryWorker.objects.filter(user=actor).first()
        order.state, order.delivered_at = Order.State.DELIVERED, now
        order.delivered, order.collected = delivered, collected
        order.worker = worker or order.worker
        order.save(update_fields=["state", "delivered_at", "delivered", "collected", "worker"])
    return order
