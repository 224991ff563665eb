from __future__ import annotations

from typing import Any

import pytest

from congvu.conduct import services
from congvu.conduct.models import CodeVersion
from congvu.organisations.models import Organisation


@pytest.fixture
def catalogue(province: dict[str, Organisation]) -> CodeVersion:
    """The seed catalogue, active on the province root."""
    return services.load_seed_catalogue(scope=province["root"], actor=None)


@pytest.fixture
def draft(catalogue: CodeVersion, officer: Any) -> CodeVersion:
    return services.create_draft(
        catalogue.scope,
        actor=officer,
        title="Bộ quy tắc 2026",
        version="2026.1",
        based_on=catalogue,
    )


@pytest.fixture
def supplement(catalogue: CodeVersion, province: dict[str, Organisation]) -> CodeVersion:
    """Sở Tư pháp's own active supplement with one clause."""
    version = services.create_draft(
        province["dept_justice"], actor=None, title="Quy tắc riêng Sở Tư pháp", version="STP-1"
    )
    section = services.add_section(version, actor=None, code="STP.1", title="Tại bộ phận một cửa")
    services.add_clause(
        section,
        actor=None,
        code="STP.1.a",
        short_title="Đeo thẻ khi tiếp công dân",
        text="Công chức phải đeo thẻ và giữ bàn làm việc gọn gàng khi tiếp công dân.",
        rateable=True,
        keywords="đeo thẻ, gọn gàng",
    )
    return services.activate(version, actor=None)
