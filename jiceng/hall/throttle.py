"""Limits on tickets taken by callers without a personal login (phones, kiosks, boards).

The JSON API and the device pages share these counters, so a phone cannot take more tickets by
switching between them. The counters live in the default cache: per app process unless a
shared cache is configured."""

from __future__ import annotations

import time

from django.core.cache import cache

# (count, seconds): at most `count` in each window of `seconds`.
PHONE_TICKETS_PER_ADDRESS = (6, 600)  # tickets per 10 minutes from one address
PHONE_TICKETS_PER_NUMBER = (3, 86_400)  # tickets per day for one phone number and hall
KIOSK_TICKETS_PER_HALL = (240, 60)  # tickets per minute from one hall's kiosks


def within_rate(key: str, limit: tuple[int, int]) -> bool:
    """Count one more under `key`; False once the fixed window's count is exceeded."""
    count, seconds = limit
    bucket = f"hall-rate:{key}:{int(time.time() // seconds)}"
    if cache.add(bucket, 1, timeout=seconds + 5):
        return True
    try:
        return int(cache.incr(bucket)) <= count
    except ValueError:
        cache.set(bucket, 1, timeout=seconds + 5)
        return True


def ticket_allowed(*, hall_id: int, via: str, address: str, phone: str = "") -> bool:
    """Count one ticket from a device of the hall (`via` "qr": a phone that scanned the board's
    code, limited per address and per phone number; else the hall's kiosk, limited per hall);
    False when a limit is reached. The API and the device pages call this same check."""
    if via == "qr":
        if not within_rate(f"addr:{hall_id}:{address}", PHONE_TICKETS_PER_ADDRESS):
            return False
        digits = "".join(ch for ch in phone if ch.isdigit())
        return not digits or within_rate(f"phone:{hall_id}:{digits}", PHONE_TICKETS_PER_NUMBER)
    return within_rate(f"kiosk:{hall_id}", KIOSK_TICKETS_PER_HALL)


def booking_allowed(*, hall_id: int, address: str) -> bool:
    """Count one appointment booked from a device of the hall; False past the address's limit."""
    return within_rate(f"book:{hall_id}:{address}", PHONE_TICKETS_PER_ADDRESS)
