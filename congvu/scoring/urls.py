"""Scorecard pages (login required)."""

from django.urls import path

from . import views

app_name = "scoring"
urlpatterns = [
    path("", views.scorecard_list, name="list"),
    path("new/", views.scorecard_new, name="new"),
    path("<int:pk>/", views.scorecard_detail, name="detail"),
    path("<int:pk>/edit/", views.scorecard_edit, name="edit"),
    path("<int:pk>/compute/", views.scorecard_compute, name="compute"),
    path("<int:pk>/publish/", views.scorecard_publish, name="publish"),
    path("<int:pk>/new-version/", views.scorecard_new_version, name="new_version"),
    path("<int:pk>/delete/", views.scorecard_delete, name="delete"),
    path("<int:pk>/ranking.docx", views.scorecard_document, {"fmt": "docx"}, name="docx"),
    path("<int:pk>/ranking.pdf", views.scorecard_document, {"fmt": "pdf"}, name="pdf"),
    path("<int:pk>/ranking.xlsx", views.scorecard_document, {"fmt": "xlsx"}, name="xlsx"),
    path("pdf/<int:pk>/", views.pdf_export, name="pdf_export"),
    path("pdf/<int:pk>/file", views.pdf_export_file, name="pdf_export_file"),
    path("<int:pk>/org/<int:organisation>/", views.organisation_score, name="organisation"),
]
