"""The time-of-use tariff versions from jiceng/reference/power-tou-zhejiang.json."""

from django.db import migrations


def load(apps, schema_editor):
    from jiceng.power.reference_data import tariffs_load

    tariffs_load(apps)


def unload(apps, schema_editor):
    from jiceng.power.reference_data import tariffs_unload

    tariffs_unload(apps)


class Migration(migrations.Migration):
    dependencies = [("power", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
