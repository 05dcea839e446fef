from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ebike", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="ebike",
            name="standard",
            field=models.CharField(
                blank=True,
                choices=[
                    ("GB17761-2024", "GB 17761-2024"),
                    ("GB17761-2018", "GB 17761-2018"),
                    ("nonstandard", "Non-standard (filed)"),
                ],
                default="GB17761-2024",
                max_length=20,
                verbose_name="standard",
            ),
        ),
    ]
