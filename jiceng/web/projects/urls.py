from django.urls import path

from jiceng.web.projects import views

urlpatterns = [
    path("", views.board, name="projects-board"),
    path("new/", views.project_new, name="projects-new"),
    path("agenda/", views.agenda, name="projects-agenda"),
    path(
        "decisions/<int:decision_id>/done/",
        views.decision_mark_done,
        name="projects-decision-done",
    ),
    path("export.xlsx", views.export, name="projects-export"),
    path("import/", views.import_page, name="projects-import"),
    path("agenda.pdf", views.agenda_pdf, name="projects-agenda-pdf"),
    path("ranking/", views.ranking, name="projects-ranking"),
    path("contest/", views.contest, name="projects-contest"),
    path("annual/", views.annual, name="projects-annual"),
    path("<int:project_id>/", views.project_page, name="projects-project"),
    path("<int:project_id>/edit/", views.project_edit, name="projects-edit"),
    path("<int:project_id>/milestones/", views.milestones_edit, name="projects-milestones"),
    path("<int:project_id>/stage/", views.stage_change, name="projects-stage"),
    path("<int:project_id>/investment/", views.investment, name="projects-investment"),
    path("<int:project_id>/task-force/", views.member_add, name="projects-member-add"),
    path("<int:project_id>/problems/", views.problem_add, name="projects-problem-add"),
]
