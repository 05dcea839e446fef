"""Data migration: the national working calendar shipped in jiceng/reference/calendar-cn.csv."""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

CALENDAR = Path(__file__).resolve().parents[2] / "reference" / "calendar-cn.csv"


def _rows():
    with CALENDAR.open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            yield date.fromisoformat(rec["date"]), rec["kind"] == "workday", rec["name"]


def load(apps, schema_editor):
    CalendarDay = apps.get_model("cases", "CalendarDay")
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_workday=w, name=n) for d, w, n in _rows()], ignore_conflicts=True
    )


def unload(apps, schema_editor):
    CalendarDay = apps.get_model("cases", "CalendarDay")
    CalendarDay.objects.filter(date__in=[d for d, _w, _n in _rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
