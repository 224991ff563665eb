from django.urls import path

from . import progress_views as views

app_name = "assignments"
urlpatterns = [
    path("", views.assignment_list, name="list"),
    path("<int:pk>/", views.assignment_detail, name="detail"),
    path("<int:pk>/update/", views.assignment_update, name="update"),
    path("<int:pk>/confirm/", views.assignment_confirm, name="confirm"),
    path("<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("extensions/", views.extension_list, name="extensions"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
