"""Data migration: the case category for complaints and tip-offs about the welfare lottery
(福利彩票投诉举报), so that they run through the case loop like every other report. Routed to the
town's social affairs office (civil affairs supervises the welfare lottery). The same entry is in
jiceng/reference/case-categories.json, which a fresh database loads first (cases 0004): then
this finds it and changes nothing; a database migrated before gets it here."""

from django.db import migrations

CODE = "lottery_complaint"


def load(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    CategoryRoute = apps.get_model("cases", "CategoryRoute")
    category, created = Category.objects.get_or_create(
        code=CODE,
        defaults={
            "name": "福利彩票投诉举报",
            "name_en": "Welfare-lottery complaint or tip-off",
            "group": "福利彩票",
            "group_en": "Welfare lottery",
            "description": "向未成年人售彩、诱导购彩、虚假宣传、服务问题等",
            "accept_hours": 8,
            "resolve_days": 10,
            "keywords": "彩票 福彩 投注站 未成年人",
        },
    )
    if created:
        CategoryRoute.objects.create(
            category=category, level="town", department_kind="civil_affairs"
        )


def unload(apps, schema_editor):
    if not apps.get_model("cases", "Case").objects.filter(category__code=CODE).exists():
        apps.get_model("cases", "Category").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lottery", "0002_load_rules"),
        ("cases", "0004_load_categories_and_departments"),
    ]

    operations = [migrations.RunPython(load, unload)]
