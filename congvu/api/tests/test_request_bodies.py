"""A request body that is not JSON is refused, by every operation, before anything is done."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from ninja.params.models import BodyModel, FileModel, FormModel

from congvu.api.errors import NOT_JSON
from congvu.api.urls import api
from congvu.organisations.models import Organisation
from congvu.planning.models import Plan, Task

from .test_plans_api import TASKS, make_plan, make_task

BROKEN = '{"a":'


def bodiless_unsafe_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation that changes something and reads no body."""
    api.get_openapi_schema()  # binds the routers
    found = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                reads_body = any(
                    issubclass(model, BodyModel | FormModel | FileModel)
                    for model in operation.models
                )
                for method in set(operation.methods) - {"GET"}:
                    if not reads_body:
                        found.append((method, "/api/v1" + prefix + path))
    return sorted(found)


@pytest.fixture
def task(province: dict[str, Organisation]) -> Task:
    plan: Plan = make_plan(province["root"])
    return make_task(plan, "1", province["dept_justice"])


def test_closing_a_task_with_a_broken_body_is_a_400_and_leaves_it_open(
    api_officer: Client, task: Task
) -> None:
    response = api_officer.post(f"{TASKS}/{task.pk}/close", BROKEN, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_JSON}
    task.refresh_from_db()
    assert task.status != Task.Status.CLOSED


@pytest.mark.parametrize("body", ["", "{}", "null", "  \n"])
def test_an_empty_or_well_formed_body_still_closes_the_task(
    api_officer: Client, task: Task, body: str
) -> None:
    response = api_officer.post(f"{TASKS}/{task.pk}/close", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_a_broken_body_without_a_content_type_is_refused_too(
    api_officer: Client, task: Task
) -> None:
    response = api_officer.generic("POST", f"{TASKS}/{task.pk}/close", b"\xff{")
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status != Task.Status.CLOSED


def test_an_anonymous_broken_request_is_still_a_401(task: Task) -> None:
    response = Client().post(f"{TASKS}/{task.pk}/close", BROKEN, content_type="application/json")
    assert response.status_code == 401


def test_the_walk_finds_the_operations_that_read_no_body() -> None:
    found = bodiless_unsafe_operations()
    for wanted in (
        ("POST", "/api/v1/tasks/{id}/close"),
        ("POST", "/api/v1/assignments/{id}/confirm"),
        ("POST", "/api/v1/inspections/{code}/start"),
        ("POST", "/api/v1/scorecards/{id}/publish"),
        ("DELETE", "/api/v1/grants/{id}"),
    ):
        assert wanted in found


@pytest.mark.django_db
def test_every_operation_that_reads_no_body_refuses_a_broken_one(api_officer: Client) -> None:
    answers: dict[str, Any] = {}
    for method, path in bodiless_unsafe_operations():
        if path == "/api/v1/ratings":  # served by its own view (feedback.citizens)
            continue
        # A path's named values first (a kind of export is a word), then its ids.
        named = path.replace("{code}", "KT-2026-001").replace("{kind}", "cases")
        url = re.sub(r"\{\w+\}", "1", named)
        response = api_officer.generic(method, url, BROKEN, content_type="application/json")
        answers[f"{method} {path}"] = (response.status_code, response.json())
    refused = (400, {"detail": NOT_JSON})
    assert {key: answer for key, answer in answers.items() if answer != refused} == {}


def test_an_operation_with_a_body_says_it_in_both_languages_too(api_officer: Client) -> None:
    response = api_officer.post("/api/v1/plans", BROKEN, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_JSON}
