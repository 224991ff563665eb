from django.urls import path

from . import import_views

app_name = "imports"
urlpatterns = [
    path("", import_views.start, name="start"),
    path("template/<str:kind>.xlsx", import_views.template_download, name="template"),
    path("upload/", import_views.upload, name="upload"),
    path("jobs/", import_views.job_list, name="jobs"),
    path("jobs/<int:pk>/", import_views.preview, name="preview"),
    path("jobs/<int:pk>/commit/", import_views.commit, name="commit"),
    path("jobs/<int:pk>/progress/", import_views.progress, name="progress"),
]
