"""The docs page really runs in a browser under our CSP (Debian's Chromium)."""

from typing import Any


def test_swagger_ui_renders_the_api_without_breaking_the_csp(
    live_server: Any, page: Any, db: Any
) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    page.goto(live_server.url + "/api/v1/docs")

    page.locator(".swagger-ui .info .title").wait_for()
    assert "Công vụ API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/api/v1/organisations/tree").wait_for()
    script_violations = [v for v in violations if "script" in v]
    assert script_violations == []
    assert failed == []
