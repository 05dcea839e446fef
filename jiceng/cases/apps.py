from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jiceng.cases"
    label = "cases"
    verbose_name = _("Cases (问题销号)")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models.signals import post_save

        from jiceng.cases import models
        from jiceng.core.models import Region

        post_save.connect(_departments_of_new_region, sender=Region, dispatch_uid="cases-depts")

        auditlog.register(models.Category)
        auditlog.register(models.Department)
        auditlog.register(models.CategoryRoute)


def _departments_of_new_region(
    sender: Any, instance: Any, created: bool, raw: bool, **kwargs: Any
) -> None:
    """A county or town created after the data migrations gets its departments at once."""
    if created and not raw:
        from jiceng.cases.reference_data import departments_for_new_region

        departments_for_new_region(instance)
