from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/document/", views.plan_document, name="plan_document"),
    path("<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("<int:pk>/import/", views.task_import, name="task_import"),
    path("<int:pk>/import/template/", views.task_import_template, name="task_import_template"),
    path("<int:pk>/import/commit/", views.task_import_commit, name="task_import_commit"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/close/", views.task_close, name="task_close"),
]
