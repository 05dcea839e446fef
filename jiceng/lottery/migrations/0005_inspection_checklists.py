"""The outlet inspection and minors' protection checklists from
jiceng/reference/lottery-checklists.json, for the shared inspections engine."""

from django.db import migrations

FILE = "lottery-checklists.json"


def load(apps, schema_editor):
    from jiceng.inspections.reference_data import checklists_load

    checklists_load(FILE, apps)


def unload(apps, schema_editor):
    from jiceng.inspections.reference_data import checklists_unload

    checklists_unload(FILE, apps)


class Migration(migrations.Migration):
    dependencies = [("lottery", "0004_sales_staff_left_on"), ("inspections", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
