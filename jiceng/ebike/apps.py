"""E-bike fire safety (电动自行车全链条监管): buildings, e-bikes and batteries, charging places and
lift blockers, inspections, violations as cases, building colours, and each bike's chain
from sale to scrapping."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EbikeConfig(AppConfig):
    name = "jiceng.ebike"
    label = "ebike"
    verbose_name = _("E-bike fire safety")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from jiceng.ebike import models
        from jiceng.ebike.access import capture_verdicts
        from jiceng.ebike.services.chain import ebike_events_apply
        from jiceng.ebike.services.inspections import target_kinds_register
        from jiceng.ledger.hooks import register_capture_authority, register_capture_handler

        # Registries are audited; a bike's state follows the ledger's events.
        auditlog.register(models.Building, exclude_fields=["counted", "counted_at"])
        auditlog.register(models.Shop, m2m_fields={"owners"})
        auditlog.register(
            models.Ebike,
            include_fields=[
                "plate",
                "frame_number",
                "registered",
                "standard",
                "bought_on",
                "owner_name",
                "building",
            ],
        )
        auditlog.register(models.ChargingPlace)
        auditlog.register(models.GroundFloorSpace)
        auditlog.register(models.AlertRule)
        # A lift blocker's creation and revocation, never its key's digest.
        auditlog.register(models.LiftBlocker, exclude_fields=["key_digest", "last_used_at"])
        register_capture_handler(ebike_events_apply)
        register_capture_authority(capture_verdicts)
        target_kinds_register()
