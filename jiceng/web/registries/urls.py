from django.urls import path

from jiceng.web.registries import views

urlpatterns = [
    # People
    path("people/", views.people_list, name="people-list"),
    path("people/new/", views.person_create_page, name="person-create"),
    path("people/find/", views.people_find_by_id_number, name="people-find"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit_page, name="person-edit"),
    path("people/<int:pk>/reveal-id/", views.person_reveal_id_number, name="person-reveal-id"),
    # Organisations
    path("organisations/", views.organisations_list, name="organisations-list"),
    path("organisations/new/", views.organisation_create_page, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit_page, name="organisation-edit"),
    # Sites
    path("sites/", views.sites_list, name="sites-list"),
    path("sites/new/", views.site_create_page, name="site-create"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
    path("sites/<int:pk>/edit/", views.site_edit_page, name="site-edit"),
    # The audit log (administrators)
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export.csv", views.audit_log_export, name="audit-log-export"),
]

# Import and export, the same for each registry.
for _registry in ("people", "organisations", "sites"):
    urlpatterns += [
        path(
            f"{_registry}/import/",
            views.registry_import,
            {"registry": _registry},
            name=f"{_registry}-import",
        ),
        path(
            f"{_registry}/import/template.csv",
            views.registry_import_template,
            {"registry": _registry, "fmt": "csv"},
            name=f"{_registry}-import-template-csv",
        ),
        path(
            f"{_registry}/import/template.xlsx",
            views.registry_import_template,
            {"registry": _registry, "fmt": "xlsx"},
            name=f"{_registry}-import-template-xlsx",
        ),
        path(
            f"{_registry}/export/",
            views.registry_export,
            {"registry": _registry},
            name=f"{_registry}-export",
        ),
    ]
