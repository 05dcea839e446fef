"""The old safety-check tables go: their rows live on in the inspections engine's tables
(0003). Going back recreates them empty, and 0003's reverse fills them again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("gas", "0003_checks_to_inspections"),
    ]

    operations = [
        migrations.DeleteModel(name="SafetyCheckPhoto"),
        migrations.DeleteModel(name="Hazard"),
        migrations.DeleteModel(name="SafetyCheck"),
    ]
