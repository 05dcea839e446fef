from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "jiceng.hall"
    label = "hall"
    verbose_name = _("Medical-insurance service network")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from jiceng.hall import models

        # Configuration is audited; the queue itself (tickets, records) is its own log.
        auditlog.register(models.ItemGroup)
        auditlog.register(models.ServiceItem)
        auditlog.register(models.ServicePoint, m2m_fields={"items", "staff"})
        auditlog.register(models.Hall, exclude_fields=["kiosk_key", "qr_secret"])
        auditlog.register(
            models.Window,
            exclude_fields=[
                "groups",
                "is_open",
                "opened_at",
                "clerk",
                "switched_by_rule",
                "version",
            ],
        )
        auditlog.register(models.SessionPlan)
        auditlog.register(models.HallDay)
        auditlog.register(models.TidalRule)
        auditlog.register(models.TravelModel)
