"""Case handling pages (login required)."""

from django.urls import path

from . import (
    assignment_views,
    dashboard_views,
    document_views,
    rating_views,
    rules_views,
    signed_views,
    views,
)

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("new/receipt/", views.case_new_receipt, name="new_receipt"),
    path("export/", views.case_export, name="export"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("mine/", views.my_cases, name="mine"),
    path("bulk/", assignment_views.case_bulk, name="bulk"),
    path("bulk/filtered/", assignment_views.case_bulk_filtered, name="bulk_filtered"),
    path("default-handlers/", assignment_views.default_handlers, name="default_handlers"),
    path(
        "default-handlers/<int:pk>/",
        assignment_views.default_handler_edit,
        name="default_handler_edit",
    ),
    path("mine/<str:code>/", views.subject_view, name="subject_view"),
    path("rules/", rules_views.rules_index, name="rules"),
    path("rules/clocks/<str:track>/", rules_views.clock_edit, name="clock_edit"),
    path("rules/tags/new/", rules_views.tag_new, name="tag_new"),
    path("rules/tags/<int:pk>/", rules_views.tag_edit, name="tag_edit"),
    path("rules/routing/new/", rules_views.rule_new, name="rule_new"),
    path("rules/routing/<int:pk>/", rules_views.rule_edit, name="rule_edit"),
    path("rules/routing/<int:pk>/move/", rules_views.rule_move, name="rule_move"),
    path("rules/routing/<int:pk>/toggle/", rules_views.rule_toggle, name="rule_toggle"),
    path(
        "rules/discipline/<int:pk>/",
        rules_views.discipline_form_edit,
        name="discipline_form_edit",
    ),
    path("from-rating/<int:pk>/", rating_views.case_from_rating, name="from_rating"),
    path("<str:code>/", views.case_detail, name="detail"),
    path("<str:code>/transition/", views.case_transition, name="transition"),
    path("<str:code>/note/", views.case_note, name="note"),
    path("<str:code>/assign/", views.case_assign, name="assign"),
    path("<str:code>/unassign/", views.case_unassign, name="unassign"),
    path("<str:code>/tags/", views.case_tags, name="tags"),
    path("<str:code>/message/", views.case_message, name="message"),
    path("<str:code>/statement-request/", views.case_request_statement, name="request_statement"),
    path("<str:code>/extend/", views.case_extend, name="extend"),
    path("<str:code>/link/", views.case_link, name="link"),
    path("<str:code>/discipline/", views.case_propose, name="propose"),
    path("<str:code>/discipline/<int:pk>/decide/", views.case_decide, name="decide"),
    path("<str:code>/discipline/<int:pk>/file/", views.decision_file, name="decision_file"),
    path("<str:code>/files/<int:pk>/", views.case_file, name="file"),
    path(
        "<str:code>/conclusion.docx",
        document_views.conclusion_document,
        {"fmt": "docx"},
        name="conclusion_docx",
    ),
    path(
        "<str:code>/conclusion.pdf",
        document_views.conclusion_document,
        {"fmt": "pdf"},
        name="conclusion_pdf",
    ),
    path("<str:code>/signed/new/", signed_views.signed_paper_new, name="signed_new"),
    path("<str:code>/signed/<int:pk>/", signed_views.signed_file, name="signed_file"),
]
