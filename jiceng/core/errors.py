"""The error types every module's services raise, mapped to HTTP once (api/root.py for the JSON
API, web/common.py for pages).

- `django.core.exceptions.ValidationError`: the input is wrong (400, or a form error).
- `django.core.exceptions.PermissionDenied`: the user may not do this (403).
- `Refused`: the input is fine but the record's state does not allow it now (409 with a reason).
- `Changed`: somebody changed the record since the caller looked at it (409; reload and retry).

A module subclasses `Refused` and `Changed` for its own records (`CaseChanged`, `QueueRefused`)
so that callers may catch the narrow type while the HTTP mapping stays in one place.
"""

from __future__ import annotations


class Refused(Exception):
    """The action is not possible in the record's current state; the message says why."""


class Changed(Refused):
    """Somebody changed the record since the caller looked at it (a stale version)."""
