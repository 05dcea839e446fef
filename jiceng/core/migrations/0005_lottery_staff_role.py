from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_user_must_change_password"),
    ]

    operations = [
        migrations.AlterField(
            model_name="userrole",
            name="role",
            field=models.CharField(
                choices=[
                    ("county_admin", "County administrator"),
                    ("town_admin", "Town administrator"),
                    ("town_officer", "Town officer"),
                    ("village_worker", "Village worker"),
                    ("grid_worker", "Grid worker"),
                    ("department_handler", "Department handler"),
                    ("window_clerk", "Window clerk"),
                    ("regulator", "Regulator (read-only)"),
                    ("station_staff", "Gas station staff"),
                    ("delivery_worker", "Gas delivery worker"),
                    ("gas_manager", "Gas company manager"),
                    ("lottery_staff", "Welfare-lottery centre staff"),
                ],
                max_length=30,
                verbose_name="role",
            ),
        ),
    ]
