from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LotteryConfig(AppConfig):
    name = "jiceng.lottery"
    label = "lottery"
    verbose_name = _("Welfare lottery")

    def ready(self) -> None:
        from jiceng.inspections.hooks import register_target_kind
        from jiceng.lottery.inspections import OUTLET_TARGET, TARGET_KIND

        # Outlet inspections and minors' protection checks on the shared inspections engine.
        register_target_kind(TARGET_KIND, OUTLET_TARGET)
