"""Data migration: the 25 development steps with their rules (jiceng/reference/
party-development.json), each county's default reserve-cadre policy, and the case loop's
dispute-mediation category (矛盾调解) with the towns' youth mediation studios (青年调解工作室) as
departments. The category and the department kind are also in jiceng/reference/
case-categories.json, which a fresh database loads first (cases 0004): then this finds them and
changes nothing; a database migrated before gets them here."""

from django.db import migrations

CATEGORY = "youth_mediation"
KIND = "youth_mediation"


def load(apps, schema_editor):
    from jiceng.youth.reference_data import policies_load, steps_load

    steps_load(apps)
    policies_load(apps)
    Category = apps.get_model("cases", "Category")
    CategoryRoute = apps.get_model("cases", "CategoryRoute")
    Department = apps.get_model("cases", "Department")
    Region = apps.get_model("core", "Region")
    category, created = Category.objects.get_or_create(
        code=CATEGORY,
        defaults={
            "name": "矛盾调解",
            "name_en": "Dispute mediation",
            "group": "平安建设",
            "group_en": "Public order",
            "description": "提交青年调解工作室调解的邻里、家庭、物业等矛盾纠纷",
            "accept_hours": 8,
            "resolve_days": 15,
            "escalate_after_hours": 24,
            "needs_reporter_confirmation": False,
            "public": False,
        },
    )
    if created:
        CategoryRoute.objects.create(category=category, level="town", department_kind=KIND)
    for town in Region.objects.filter(level="town"):
        Department.objects.get_or_create(
            region=town,
            kind=KIND,
            defaults={
                "code": f"{town.code}-{KIND}".replace("_", "-"),
                "name": f"{town.name}青年调解工作室",
                "name_en": "Youth mediation studio",
            },
        )


def unload(apps, schema_editor):
    apps.get_model("youth", "ReservePolicy").objects.all().delete()
    apps.get_model("youth", "Step").objects.all().delete()
    if not apps.get_model("cases", "Case").objects.filter(category__code=CATEGORY).exists():
        apps.get_model("cases", "Category").objects.filter(code=CATEGORY).delete()
    apps.get_model("cases", "Department").objects.filter(kind=KIND, members=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("youth", "0001_initial"),
        ("cases", "0006_private_categories"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(load, unload)]
