from django.urls import path

from . import dissemination_views as views

app_name = "dissemination"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_create, name="create"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/attendance/", views.session_attendance, name="attendance"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path(
        "acknowledgements/<int:pk>/record/",
        views.acknowledgement_record,
        name="acknowledgement_record",
    ),
    path("coverage/", views.coverage_table, name="coverage"),
    path("coverage/<int:pk>/", views.coverage_detail, name="coverage_detail"),
]
