from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YouthConfig(AppConfig):
    name = "jiceng.youth"
    label = "youth"
    verbose_name = _("Youth talent reserve")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from jiceng.cases.services import register_close_handler, register_reopen_handler
        from jiceng.youth import models
        from jiceng.youth.services.mediation import (
            CATEGORY,
            mediation_case_closed,
            mediation_case_reopened,
        )

        # Rules are data an administrator may adjust: their changes are audited, as are the
        # records of people and their steps.
        auditlog.register(models.Step)
        auditlog.register(
            models.Talent,
            exclude_fields=["version", "stage_since", "last_step", "due_step", "due_on"],
        )
        auditlog.register(models.StepRecord)
        auditlog.register(models.ReservePolicy)
        register_close_handler(CATEGORY, mediation_case_closed)
        register_reopen_handler(CATEGORY, mediation_case_reopened)
