"""The records of youth."""

from django.db import models  # noqa: F401
