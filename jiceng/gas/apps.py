from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GasConfig(AppConfig):
    name = "jiceng.gas"
    label = "gas"
    verbose_name = _("Bottled gas (瓶装燃气)")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from jiceng.cases.services import register_close_handler, register_reopen_handler
        from jiceng.gas import models
        from jiceng.gas.access import capture_verdicts
        from jiceng.gas.services.capture import cylinder_events_apply
        from jiceng.gas.services.checks import hazard_case_closed, hazard_case_reopened
        from jiceng.ledger.hooks import register_capture_authority, register_capture_handler

        # Registries are audited; cylinder state and location follow the ledger's events.
        auditlog.register(models.Station, m2m_fields={"staff"})
        auditlog.register(
            models.Cylinder,
            include_fields=[
                "identifier",
                "registered",
                "manufacturer",
                "manufactured_on",
                "nominal_kg",
                "design_life_years",
                "last_inspected_on",
                "owner",
            ],
        )
        auditlog.register(models.UserSite)
        auditlog.register(models.DeliveryWorker)
        auditlog.register(models.Vehicle)
        # A scale device's creation and revocation, never its key's digest.
        auditlog.register(models.ScaleDevice, exclude_fields=["key_digest", "last_used_at"])
        register_capture_handler(cylinder_events_apply)
        register_capture_authority(capture_verdicts)
        register_close_handler("gas_hazard", hazard_case_closed)
        register_reopen_handler("gas_hazard", hazard_case_reopened)
