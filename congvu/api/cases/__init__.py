"""Cases of misconduct, scoped like the back-office pages, and the citizen's two calls.

One router, assembled here from a module per topic, each described in its docstring:
`handlers` (the `/cases` endpoints of those handling cases), `public` (a citizen files a
report and follows it, without an account); `schemas` (the handlers' field types,
output and input) and `lookups` (the caller's cases, one case by its code, the list's
filters) are shared with `case_handling`, `case_bulk` and `case_documents`. The
topics' routers take this one's tag and authentication, and keep the operation ids of
the single module they came from (`congvu_api_cases_…`, see `urls.CongvuAPI`).
"""

from ninja import Router

from ..security import AUTH
from . import handlers, public

router = Router(tags=["Vụ việc / Cases"], auth=AUTH)
# In this order the paths keep their place in the OpenAPI document and among the URL
# patterns; a path's operations all live in one topic (a path in two routers would
# answer 405 to the methods of the second).
for topic in (handlers, public):
    router.add_router("", topic.router)
