"""Ratings: dossier registration, counters, rating submission, review of flagged ratings,
satisfaction aggregates.

One router, assembled here from a module per topic, each described in its docstring:
`dossiers` (DOSSIER_REGISTER), `counters` (COUNTER_MANAGE), `citizens` (the public
rating form and submission), `review` (RATING_REVIEW), `satisfaction` (RATING_VIEW,
and the public aggregate); `schemas` holds what several of them share. The topics'
routers take this one's tag and authentication, and keep the operation ids of the
single module they came from (`congvu_api_feedback_…`, see `urls.CongvuAPI`).
"""

from ninja import Router

from ..security import AUTH
from . import citizens, counters, dossiers, review, satisfaction

router = Router(tags=["Đánh giá / Ratings"], auth=AUTH)
# In this order the paths keep their place in the OpenAPI document and among the URL
# patterns; a path's operations all live in one topic (a path in two routers would
# answer 405 to the methods of the second).
for topic in (dossiers, counters, citizens, review, satisfaction):
    router.add_router("", topic.router)
