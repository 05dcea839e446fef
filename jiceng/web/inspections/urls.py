from django.urls import path

from jiceng.web.inspections import views

urlpatterns = [
    path("", views.inspection_list, name="inspection-list"),
    path("start/", views.inspection_start, name="inspection-start"),
    path("new/<slug:checklist>/<str:target>/", views.inspection_new, name="inspection-new"),
    path("<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("photos/<str:token>/", views.inspection_photo, name="inspection-photo"),
    path("checklists/", views.checklist_list, name="inspection-checklists"),
    path("checklists/<slug:code>/", views.checklist_edit, name="inspection-checklist"),
    path("rounds/", views.round_list, name="inspection-rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="inspection-round"),
    path("rounds/<int:pk>/finish/", views.round_finish_view, name="inspection-round-finish"),
]
