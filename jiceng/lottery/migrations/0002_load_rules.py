"""Games, their splits, the prize tax rule and the fund rule from jiceng/reference/."""

from django.db import migrations


def load(apps, schema_editor):
    from jiceng.lottery.reference_data import rules_load

    rules_load(apps)


def unload(apps, schema_editor):
    for name in ("GameSplit", "TaxRule", "FundRule"):
        apps.get_model("lottery", name).objects.all().delete()
    apps.get_model("lottery", "Game").objects.filter(
        dailysale__isnull=True, prize__isnull=True, unclaimedprize__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("lottery", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
