"""Checklists answered on site (检查): the shared inspections engine. Modules register what
they inspect; failed items open cases; a re-inspection that passes an item lets its case
close."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "jiceng.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from jiceng.inspections.hooks import on_category
        from jiceng.inspections.services import category_listen

        # A finding's case closing (or reopening) anywhere rectifies (or opens) the finding:
        # for every case category a registered target kind names, now and later.
        on_category(category_listen)
