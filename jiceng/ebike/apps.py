from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EbikeConfig(AppConfig):
    name = "jiceng.ebike"
    label = "ebike"
    verbose_name = _("E-bike fire safety")
