from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "jiceng.risk"
    label = "risk"
    verbose_name = _("Risk colours")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from jiceng.risk import models

        # Rules decide colours that people act on: every change to them is audited.
        auditlog.register(models.RuleSet)
        auditlog.register(models.Rule)
