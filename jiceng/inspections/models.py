"""The records of inspections."""

from django.db import models  # noqa: F401
