"""The records of power."""

from django.db import models  # noqa: F401
