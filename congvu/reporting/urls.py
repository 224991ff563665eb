from django.urls import path, re_path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("periods/new/", views.period_create, name="period_create"),
    path("periods/yearly/", views.period_yearly, name="period_yearly"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/edit/", views.period_edit, name="period_edit"),
    path("periods/<int:pk>/status/", views.period_status, name="period_status"),
    path("periods/<int:pk>/reports/new/", views.report_create, name="report_create"),
    re_path(
        r"^periods/(?P<pk>[0-9]+)/export\.(?P<fmt>docx|xlsx|pdf)$",
        views.period_export,
        name="period_export",
    ),
    path("pdf/<int:pk>/", views.pdf_export, name="pdf_export"),
    path("pdf/<int:pk>/file", views.pdf_export_file, name="pdf_export_file"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("<int:pk>/refresh/", views.report_refresh, name="report_refresh"),
    path("<int:pk>/review/", views.report_review, name="report_review"),
    re_path(
        r"^(?P<pk>[0-9]+)/export\.(?P<fmt>docx|pdf)$", views.report_export, name="report_export"
    ),
]
