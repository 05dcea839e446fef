from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowerConfig(AppConfig):
    name = "jiceng.power"
    label = "power"
    verbose_name = _("Summer peak load")
