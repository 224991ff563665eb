from django.urls import path

from . import dashboard_views as views

app_name = "dashboards"
urlpatterns = [
    path("", views.province, name="province"),
    path("organisation/<int:pk>/", views.organisation, name="organisation"),
]
