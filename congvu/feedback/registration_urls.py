"""Dossier registration (form and Excel upload) and one-stop counters (login required)."""

from django.urls import URLPattern, path

from . import registration_views as views

app_name = "feedback_manage"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("org/<int:pk>/dossiers/", views.dossier_list, name="dossiers"),
    path("org/<int:pk>/dossiers/new/", views.dossier_register, name="dossier_register"),
    path("org/<int:pk>/dossiers/import/", views.dossier_import_upload, name="dossier_import"),
    path(
        "org/<int:pk>/dossiers/import/template.xlsx",
        views.dossier_import_template,
        name="dossier_import_template",
    ),
    path(
        "org/<int:pk>/dossiers/import/commit/",
        views.dossier_import_commit,
        name="dossier_import_commit",
    ),
    path("dossiers/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("org/<int:pk>/counters/", views.counter_list, name="counters"),
    path("org/<int:pk>/counters/new/", views.counter_create, name="counter_create"),
    path("counters/<int:pk>/", views.counter_edit, name="counter_edit"),
    path("counters/<int:pk>/rotate/", views.counter_rotate, name="counter_rotate"),
    path("counters/<int:pk>/poster/", views.counter_poster, name="counter_poster"),
]
