"""The demo's scorecard: the last twelve months of departments and communes, computed
and published through the real services by a Home Affairs user, so that the scoring
pages and the public rankings are not empty. A demo built without users has none."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.organisations.models import Organisation, OrganisationKind

from . import services
from .metrics import DEFAULT_WEIGHTS


def load_demo_scores(root: Organisation) -> int:
    """Create, compute and publish the demo scorecard; returns how many organisations."""
    officer = (
        User.objects.filter(
            grants__role=Role.HOME_AFFAIRS, grants__organisation__path__startswith=root.path
        )
        .order_by("pk")
        .first()
    )
    kinds = list(OrganisationKind.objects.filter(code__in=["department", "commune_pc"]))
    if officer is None or not kinds:
        return 0
    today = timezone.localdate()
    start = today - dt.timedelta(days=364)
    scorecard = services.create_scorecard(
        root,
        actor=officer,
        name=f"Xếp hạng thực hiện văn hóa công vụ 12 tháng đến {today:%d/%m/%Y}",
        period_start=start,
        period_end=today,
        kinds=kinds,
        criteria=[services.CriterionIn(code, weight) for code, weight in DEFAULT_WEIGHTS],
        description="Chấm điểm theo Kế hoạch 86/KH-UBND: số liệu của hệ thống trong 12 tháng, "
        "so sánh các sở với nhau và các xã với nhau.",
    )
    count = services.compute(scorecard, actor=officer, today=today)
    services.publish(scorecard, actor=officer)
    return count
