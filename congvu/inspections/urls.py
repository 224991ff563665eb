"""Inspection pages (login required)."""

from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_new, name="new"),
    path("<str:code>/", views.inspection_detail, name="detail"),
    path("<str:code>/checklist/", views.checklist, name="checklist"),
    path("<str:code>/start/", views.inspection_start, name="start"),
    path("<str:code>/conclude/", views.inspection_conclude, name="conclude"),
    path("<str:code>/cancel/", views.inspection_cancel, name="cancel"),
    path("<str:code>/findings/<int:pk>/case/", views.open_case, name="open_case"),
    path("<str:code>/findings/<int:pk>/action/", views.add_action, name="add_action"),
    path("<str:code>/actions/<int:pk>/respond/", views.respond, name="respond"),
    path("<str:code>/files/<int:pk>/", views.evidence_file, name="file"),
]
