from django.urls import path

from . import my_exports_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("lang/<str:language>/", views.language_link, name="language_link"),
    path("healthz/ready", views.ready, name="ready"),
    path("exports/", my_exports_views.my_exports_page, name="my_exports"),
    path(
        "exports/delete/",
        my_exports_views.my_exports_delete_all,
        name="my_exports_delete_all",
    ),
    path(
        "exports/<str:kind>/<int:pk>/delete/",
        my_exports_views.my_export_delete,
        name="my_export_delete",
    ),
]
