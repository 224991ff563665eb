from django.urls import path

from . import views

app_name = "conduct"
urlpatterns = [
    path("", views.public, name="public"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("manage/", views.manage, name="manage"),
    path("manage/<int:pk>/", views.edit, name="edit"),
    path("manage/<int:pk>/activate/", views.activate, name="activate"),
    path("manage/<int:pk>/retire/", views.retire, name="retire"),
    path("manage/<int:pk>/delete/", views.delete, name="delete"),
    path("manage/<int:pk>/sections/new/", views.section_add, name="section_add"),
    path("manage/sections/<int:pk>/", views.section_edit, name="section_edit"),
    path("manage/sections/<int:pk>/delete/", views.section_delete, name="section_delete"),
    path("manage/sections/<int:pk>/clauses/new/", views.clause_add, name="clause_add"),
    path("manage/clauses/<int:pk>/", views.clause_edit, name="clause_edit"),
    path("manage/clauses/<int:pk>/delete/", views.clause_delete, name="clause_delete"),
]
