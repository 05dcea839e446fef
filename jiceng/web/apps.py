from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "jiceng.web"
    label = "web"
    verbose_name = _("Web interface")

    def ready(self) -> None:
        # Each web package registers its module's navigation group (jiceng/web/navigation.py).
        from jiceng.web import navigation

        navigation.discover()
