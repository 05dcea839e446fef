from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GasConfig(AppConfig):
    name = "jiceng.gas"
    label = "gas"
    verbose_name = _("Bottled gas (瓶装燃气)")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from jiceng.gas import models
        from jiceng.gas.access import capture_verdicts
        from jiceng.gas.services.capture import cylinder_events_apply
        from jiceng.gas.services.checks import SITE_TARGET, TARGET_KIND
        from jiceng.inspections.hooks import register_target_kind
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
        # Safety checks are inspections of user sites on the shared engine: it opens and closes
        # the gas-hazard cases, and the site's colour follows (jiceng/gas/services/checks.py).
        register_target_kind(TARGET_KIND, SITE_TARGET)
