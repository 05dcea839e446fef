from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jiceng.cases"
    label = "cases"
    verbose_name = _("Cases (问题销号)")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from jiceng.cases import models

        auditlog.register(models.Category)
        auditlog.register(models.Department)
        auditlog.register(models.CategoryRoute)
