"""The records of ebike."""

from django.db import models  # noqa: F401
