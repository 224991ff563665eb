"""The REST API at /api/v1/: OpenAPI 3.1 at openapi.json, Swagger UI at docs.

Handlers parse input and call selectors, services and the access module;
nothing business-like lives in this package.
"""

from __future__ import annotations

import re
from typing import Any, Final

from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import ValidationError, ValidationErrorContext
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from congvu.core.templatetags.bilingual import for_reader

from . import accounts, catalogue, errors, organisations, staff
from .common import StrictQueryParser
from .docs import SameOriginSwagger
from .security import AUTH


class CongvuAPI(NinjaAPI):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._openapi_documents: dict[tuple[str, str | None], OpenAPISchema] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        # The document follows from the code alone and takes ~1 s of CPU to build (0.5 MB):
        # built once per process, prefix and language, and shared — read it, never change it.
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, translation.get_language())
        if key not in self._openapi_documents:
            document = super().get_openapi_schema(path_prefix=path_prefix)
            if (key[1] or "").startswith("en"):
                english_texts(document)
            self._openapi_documents[key] = document
        return self._openapi_documents[key]

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # An operation id is part of the published contract, so it names the API module,
        # or the package a module was split into (congvu.api.feedback.dossiers answers
        # congvu_api_feedback_register_dossier as congvu.api.feedback did): moving a
        # handler between a package's files renames nothing for the API's clients.
        module = operation.view_func.__module__.split(".")
        if module[:2] != ["congvu", "api"]:
            return super().get_openapi_operation_id(operation)
        return "_".join([*module[:3], operation.view_func.__name__])

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        # pydantic's messages are English; the API's are bilingual. `type` and `loc` stay.
        error = super().validation_error_from_error_contexts(error_contexts)
        for item in error.errors:
            item["msg"] = for_reader(errors.schema_message(item))
        return error


#: The texts of an OpenAPI document a reader reads (an operation's summary and description,
#: a schema's, a field's or a parameter's).
READ_TEXTS: Final = frozenset({"summary", "description", "title"})
#: "**Gửi lại an toàn / safe retries:** …": a paragraph headed by both languages in bold.
_HEADED: Final = re.compile(r"^\*\*(?P<vi>[^*]+?) / (?P<en>[^*]+?):\*\* (?P<text>.*)$", re.DOTALL)


def english_text(text: str) -> str:
    """The English of a "Vietnamese / English" text of the document, paragraph by paragraph
    (`for_reader`'s rule); a paragraph of another shape as it is."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        headed = _HEADED.match(paragraph)
        if headed:
            paragraph = f"**{headed['en']}:** {for_reader(headed['text'])}"
        else:
            paragraph = for_reader(paragraph)
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def english_texts(node: Any) -> None:
    """Give every text of an OpenAPI document (a nest of dicts and lists) its English alone,
    in place: the texts are bilingual in the code ("Danh sách cơ quan / list
    organisations"), and a client that asked for English reads the English, as it does
    in the API's messages. Property and parameter names are keys, never changed."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in READ_TEXTS and isinstance(value, str):
                node[key] = english_text(value)
            else:
                english_texts(value)
    elif isinstance(node, list):
        for item in node:
            english_texts(item)


api = CongvuAPI(
    title="Công vụ API",
    version="1",
    description=(
        "API của nền tảng Công vụ. Xác thực bằng mã truy cập cá nhân "
        "(`Authorization: Bearer cv_…`) hoặc phiên đăng nhập (kèm CSRF cho POST). "
        "Ngày theo ISO 8601 (YYYY-MM-DD). / Authenticate with a personal token "
        "or the browser session (CSRF token on unsafe methods). Dates are ISO 8601.\n\n"
        "**Gửi lại an toàn / safe retries:** gửi kèm `Idempotency-Key: <chuỗi duy nhất>` với "
        "POST, PUT, PATCH, DELETE thì gửi lại cùng khóa chỉ nhận lại câu trả lời lần đầu "
        "(`Idempotent-Replayed: true`), không thực hiện lần nữa; cùng khóa cho yêu cầu khác: "
        "422; giữ 24 giờ. / With `Idempotency-Key` a write sent again with the same key gets "
        "the first answer back instead of being carried out twice; the same key for another "
        "request is 422; keys are kept 24 hours.\n\n"
        "**Phiên bản / versions:** mỗi câu trả lời JSON của GET có `ETag`; `If-None-Match` → "
        "304 khi không đổi; PUT, PATCH, DELETE kèm `If-Match: <ETag>` bị từ chối 412 nếu bản "
        "ghi đã đổi từ lần đọc đó. / Every JSON read carries an `ETag` (`If-None-Match` → 304 "
        "when unchanged); a PUT, PATCH or DELETE with `If-Match` is refused with 412 when the "
        "record changed since that read."
    ),
    urls_namespace="api",
    auth=AUTH,
    parser=StrictQueryParser(),
    docs=SameOriginSwagger(settings={"persistAuthorization": False}),
)
errors.install(api)

api.add_router("/me/work", "congvu.api.worklist.router")
api.add_router("/me/exports", "congvu.api.my_exports.router")
api.add_router("/me", accounts.router)
api.add_router("/organisations", organisations.router)
api.add_router("", "congvu.api.organisation_changes.router")
api.add_router("", "congvu.api.badge_exports.router")
api.add_router("/staff", staff.router)
api.add_router("/catalogue", catalogue.router)
api.add_router("/catalogue", "congvu.api.catalogue_drafts.router")
api.add_router("", "congvu.api.users.router")
api.add_router("", "congvu.api.plans.router")
api.add_router("", "congvu.api.assignments.router")
api.add_router("", "congvu.api.dissemination.router")
api.add_router("", "congvu.api.reports.router")
api.add_router("", "congvu.api.feedback.router")
# Before the cases router: "/cases/assign" is not the case whose code is "assign" (nor
# "/cases/exports" the case "exports").
api.add_router("", "congvu.api.case_bulk.router")
api.add_router("", "congvu.api.case_exports.router")
api.add_router("", "congvu.api.cases.router")
api.add_router("", "congvu.api.case_handling.router")
api.add_router("", "congvu.api.case_identity.router")
api.add_router("", "congvu.api.case_documents.router")
api.add_router("", "congvu.api.inspections.router")
api.add_router("", "congvu.api.inspection_documents.router")
api.add_router("", "congvu.api.programmes.router")
api.add_router("", "congvu.api.programme_amendments.router")
api.add_router("", "congvu.api.scoring.router")
api.add_router("", "congvu.api.notifications.router")
api.add_router("", "congvu.api.audit.router")
