"""Inspection pages (login required)."""

from django.urls import path

from . import programme_amendment_views, programme_views, signed_views, views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_new, name="new"),
    path("programmes/", programme_views.programme_list, name="programmes"),
    path("programmes/new/", programme_views.programme_new, name="programme_new"),
    path("programmes/<int:pk>/", programme_views.programme_detail, name="programme"),
    path(
        "programmes/<int:pk>/approve/", programme_views.programme_approve, name="programme_approve"
    ),
    path("programmes/<int:pk>/items/new/", programme_views.item_new, name="item_new"),
    path("programmes/<int:pk>/items/bulk/", programme_views.items_bulk, name="items_bulk"),
    path(
        "programmes/<int:pk>/programme.<str:fmt>",
        programme_views.programme_document,
        name="programme_document",
    ),
    path(
        "programmes/<int:pk>/amendments/new/", programme_views.amendment_new, name="amendment_new"
    ),
    path(
        "programmes/<int:pk>/amendment/items/new/",
        programme_views.amendment_item_new,
        name="amendment_item_new",
    ),
    path(
        "programmes/<int:pk>/amendment/items/bulk/",
        programme_views.amendment_items_bulk,
        name="amendment_items_bulk",
    ),
    path(
        "programmes/<int:pk>/amendment/changes/bulk/",
        programme_views.amendment_changes_bulk,
        name="amendment_changes_bulk",
    ),
    path(
        "programmes/amendments/<int:pk>/abandon/",
        programme_views.amendment_abandon,
        name="amendment_abandon",
    ),
    path(
        "programmes/amendments/<int:pk>/restore/",
        programme_amendment_views.amendment_restore,
        name="amendment_restore",
    ),
    path(
        "programmes/amendments/<int:pk>/preview.xlsx",
        programme_amendment_views.amendment_preview,
        name="amendment_preview",
    ),
    path(
        "programmes/amendments/<int:pk>/decision.docx",
        programme_views.amendment_document,
        name="amendment_document",
    ),
    path(
        "programmes/amendments/<int:pk>/approve/",
        programme_views.amendment_approve,
        name="amendment_approve",
    ),
    path(
        "programmes/changes/<int:pk>/withdraw/",
        programme_views.change_withdraw,
        name="change_withdraw",
    ),
    path("programmes/items/<int:pk>/cancel/", programme_views.item_cancel, name="item_cancel"),
    path(
        "programmes/items/<int:pk>/reschedule/",
        programme_views.item_reschedule,
        name="item_reschedule",
    ),
    path("programmes/items/<int:pk>/", programme_views.item_edit, name="item_edit"),
    path("programmes/items/<int:pk>/delete/", programme_views.item_delete, name="item_delete"),
    path("<str:code>/", views.inspection_detail, name="detail"),
    path("<str:code>/checklist/", views.checklist, name="checklist"),
    path("<str:code>/edit/", views.inspection_edit, name="edit"),
    path("<str:code>/start/", views.inspection_start, name="start"),
    path("<str:code>/conclude/", views.inspection_conclude, name="conclude"),
    path("<str:code>/cancel/", views.inspection_cancel, name="cancel"),
    path("<str:code>/findings/<int:pk>/case/", views.open_case, name="open_case"),
    path("<str:code>/findings/<int:pk>/action/", views.add_action, name="add_action"),
    path("<str:code>/actions/<int:pk>/respond/", views.respond, name="respond"),
    path("<str:code>/files/<int:pk>/", views.evidence_file, name="file"),
    path("<str:code>/minutes.<str:fmt>", views.minutes, name="minutes"),
    path("<str:code>/conclusion-notice.<str:fmt>", views.conclusion_notice, name="notice"),
    path(
        "<str:code>/signed/<str:document>/new/",
        signed_views.signed_paper_new,
        name="signed_new",
    ),
    path("<str:code>/signed/<int:pk>/", signed_views.signed_file, name="signed_file"),
]
