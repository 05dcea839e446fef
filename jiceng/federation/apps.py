from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "jiceng.federation"
    label = "federation"
    verbose_name = _("Federation between deployments")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from jiceng.federation import messaging, models

        # Who trusts whom is configuration: audited. Keys, nonces and logs are their own record.
        auditlog.register(models.Peer)
        messaging.register_handler(messaging.PING_KIND, messaging.ping_answer)
