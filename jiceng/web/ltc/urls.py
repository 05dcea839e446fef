from django.urls import path

from jiceng.web.ltc import views

urlpatterns = [
    path("", views.applications_page, name="ltc-home"),
    path("applications/new/", views.application_new_page, name="ltc-application-new"),
    path("applications/<int:pk>/", views.application_page, name="ltc-application"),
    path("applications/<int:pk>/step/", views.application_step, name="ltc-application-step"),
    path("applications/<int:pk>/assess/", views.assessment_form_page, name="ltc-assess"),
    path("assessments/new/", views.assessment_form_page, name="ltc-assessment-new"),
    path("assessments/<int:pk>/", views.assessment_page, name="ltc-assessment"),
    path("assessments/<int:pk>/share/", views.assessment_share_page, name="ltc-assessment-share"),
    path("institutions/", views.institutions_page, name="ltc-institutions"),
    path("institutions/import/", views.institutions_import_page, name="ltc-institutions-import"),
    path("institutions/<int:pk>/", views.institution_page, name="ltc-institution"),
    path(
        "institutions/<int:pk>/status/",
        views.institution_status_page,
        name="ltc-institution-status",
    ),
    path(
        "institutions/<int:pk>/complaint/",
        views.institution_complaint_page,
        name="ltc-institution-complaint",
    ),
    path("living-elsewhere/", views.living_elsewhere_page, name="ltc-living-elsewhere"),
    path("insured/<int:pk>/choose/", views.insured_choose_page, name="ltc-insured-choose"),
    path("services/record/", views.service_record_page, name="ltc-service-record"),
    path("recognitions/", views.recognitions_page, name="ltc-recognitions"),
    path("person-status/", views.person_status_page, name="ltc-person-status"),
    path("statement/", views.statement_page, name="ltc-statement"),
]
