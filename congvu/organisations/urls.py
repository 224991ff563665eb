from django.urls import path

from . import conduct_views, staff_views, views

app_name = "organisations"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.detail, name="detail"),
    path("new-root/", views.create_root, name="create_root"),
    path("name-clashes/", views.name_clashes, name="name_clashes"),
    path("<int:pk>/new-child/", views.create_child, name="create_child"),
    path("<int:pk>/rename/", views.rename, name="rename"),
    path("<int:pk>/rename/withdraw/", views.withdraw_rename, name="withdraw_rename"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/split/", views.split, name="split"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path(
        "<int:pk>/conduct-record/",
        conduct_views.conduct_record_page,
        name="conduct_record",
    ),
    path(
        "<int:pk>/conduct-record.xlsx",
        conduct_views.conduct_record_xlsx,
        name="conduct_record_xlsx",
    ),
    path("<int:pk>/badges.pdf", views.badges_pdf, name="badges_pdf"),
    path("badges/<int:pk>/", views.badge_export, name="badge_export"),
    path("badges/<int:pk>/file", views.badge_export_file, name="badge_export_file"),
    path("<int:pk>/staff/new/", staff_views.staff_create, name="staff_create"),
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/<int:pk>/", staff_views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", staff_views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/leave/", staff_views.staff_leave, name="staff_leave"),
    path("staff/<int:pk>/rotate-badge/", staff_views.staff_rotate_badge, name="staff_rotate_badge"),
    path("me/", staff_views.my_profile, name="my_profile"),
]
