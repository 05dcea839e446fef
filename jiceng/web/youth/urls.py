from django.urls import path

from jiceng.web.youth import views

urlpatterns = [
    path("", views.people_page, name="youth-people"),
    path("me/", views.own_page, name="youth-me"),
    path("import/", views.import_people, name="youth-import"),
    path("pipeline/", views.pipeline_page, name="youth-pipeline"),
    path("pipeline.xlsx", views.pipeline_export, name="youth-pipeline-export"),
    path("reserve/", views.reserve_page, name="youth-reserve"),
    path("overdue/", views.overdue_page, name="youth-overdue"),
    path("platforms/", views.platforms_page, name="youth-platforms"),
    path("platforms/<int:platform_id>/", views.platform_page, name="youth-platform"),
    path("studio/", views.studio_page, name="youth-studio"),
    path("people/<int:talent_id>/", views.person_page, name="youth-person"),
    path("people/<int:talent_id>/steps/", views.step_add, name="youth-step-add"),
    path("people/<int:talent_id>/id-number/", views.id_number_reveal, name="youth-id-number"),
    path("people/<int:talent_id>/certificate.pdf", views.certificate, name="youth-certificate"),
]
