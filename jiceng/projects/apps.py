from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "jiceng.projects"
    label = "projects"
    verbose_name = _("Key projects")

    def ready(self) -> None:
        from jiceng.cases.services import register_close_handler, register_reopen_handler
        from jiceng.projects import services
        from jiceng.projects.reference_data import problem_category_codes

        # A problem counts as closed (for its member and the ranking) when its case closes.
        for code in problem_category_codes():
            register_close_handler(code, services.problem_case_closed)
            register_reopen_handler(code, services.problem_case_reopened)
