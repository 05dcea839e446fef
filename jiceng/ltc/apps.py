from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtcConfig(AppConfig):
    name = "jiceng.ltc"
    label = "ltc"
    verbose_name = _("Long-term care insurance")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from jiceng.ltc import models
        from jiceng.ltc.services.exchanges import register_handlers

        # Institutions and assessments are audited; recognitions and queries are their own log.
        auditlog.register(models.Institution)
        auditlog.register(models.Assessment)
        auditlog.register(models.InsuredPerson)
        register_handlers()
