from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = _("Core registries")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from jiceng.core import models

        auditlog.register(models.Region, exclude_fields=["boundary"])
        auditlog.register(models.Organisation)
        auditlog.register(models.Site)
        # The clear ID number never enters the audit log: only its masked form does.
        auditlog.register(models.Person, exclude_fields=["id_digest", "id_sealed"])
        auditlog.register(models.User, exclude_fields=["password", "last_login"])
        auditlog.register(models.UserRole)
        auditlog.register(models.ApiToken, exclude_fields=["key_digest", "last_used_at"])
