"""Who may capture which events, and who may read capture jobs and events.

The ledger knows no module: the modules that give events a meaning register capture authorities
(`jiceng.ledger.hooks.register_capture_authority`) and judge their own events (gas judges
cylinder events: station staff and delivery workers in their station's service area, and so
on). An event that no authority claims is the ledger's alone (nothing reacts to it): a user whose
roles may write may capture it in their region, as the events are stored in the capturer's
region; a device may not, since a device captures only for its module. One refused event refuses
the whole document (`CaptureForbidden`, 403 in the API) and nothing is stored.

Reads follow the region scope: a capture job and an event belong to the region they were
captured in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.core import roles
from jiceng.ledger.hooks import Capturer, capture_authorities

if TYPE_CHECKING:
    from jiceng.ledger.documents import ParsedEvent


class CaptureForbidden(PermissionDenied):
    """The capturer may not capture one or more events of the document; nothing was stored."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons or [_("Not allowed.")]
        super().__init__("; ".join(self.reasons))


def may_capture(capturer: Capturer) -> bool:
    """Whether the capturer may capture at all (a user whose roles may write, or a device)."""
    if capturer.device is not None:
        return True
    user = capturer.user
    return user is not None and user.is_active and roles.may_write(user)


def capture_refusals(capturer: Capturer, events: list[ParsedEvent]) -> list[str]:
    """Every reason the capturer may not capture these events (none: all allowed), each
    naming its event."""
    if not may_capture(capturer):
        return [_("Your roles may not capture events.")]
    verdicts = [authority(capturer, events) for authority in capture_authorities()]
    reasons: list[str] = []
    for index, event in enumerate(events):
        claimed = False
        for verdict in verdicts:
            said = verdict[index]
            if said is None:
                continue
            claimed = True
            reasons += [f"{event.event_id}: {reason}" for reason in said]
        if not claimed and capturer.device is not None:
            reasons.append(
                f"{event.event_id}: " + _("A device captures only the events of its module.")
            )
    return reasons


def check_may_capture(capturer: Capturer, events: list[ParsedEvent]) -> None:
    reasons = capture_refusals(capturer, events)
    if reasons:
        raise CaptureForbidden(reasons)
