"""Every search box reads its words one way (`core.text.search_words`): accents, case and
đ ignored, the punctuation around a word dropped, every word must match; a query of
punctuation only is no query; the query stays in the box."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.conftest import make_staff
from congvu.organisations.models import Organisation, StaffMember

pytestmark = pytest.mark.django_db

Province = dict[str, Organisation]


def _page(client: Client, url: str, query: str) -> str:
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{html.escape(query)}"' in page, "the query stays in the box"
    return page


def test_the_staff_list_reads_a_name_typed_with_punctuation(
    as_officer: Client, province: Province
) -> None:
    make_staff(province["dept_justice"], "Nguyễn Văn Đức", "STP-001")
    make_staff(province["dept_home"], "Phạm Thị Hoa", "SNV-1")
    url = reverse("organisations:staff_list")
    page = _page(as_officer, url, "«Đức, Nguyễn»")
    assert "Nguyễn Văn Đức" in page and "Phạm Thị Hoa" not in page
    page = _page(as_officer, url, "...")
    assert "Nguyễn Văn Đức" in page and "Phạm Thị Hoa" in page
    page = _page(as_officer, url, "Đức 😀")
    assert "Nguyễn Văn Đức" not in page and "Phạm Thị Hoa" not in page


def test_the_tree_search_reads_a_name_in_brackets(as_officer: Client) -> None:
    assert "2 cơ quan phù hợp" in _page(as_officer, reverse("organisations:tree"), "(Tư pháp)")


def test_the_users_list_reads_a_name_typed_with_punctuation(
    as_officer: Client, head: User, viewer: User
) -> None:
    User.objects.filter(pk=head.pk).update(full_name="Hoàng Đức Thắng")
    url = reverse("accounts:user_list")
    response = as_officer.get(url, {"q": "«Đức, thắng»"})
    assert [u.username for u in response.context["page"]] == ["head"]
    assert 'value="«Đức, thắng»"' in response.content.decode()
    everyone = as_officer.get(url, {"q": "%"}).context["page"]
    assert {u.username for u in everyone} >= {"head", "viewer", "officer"}


def test_every_queryset_search_reads_the_words_alike(province: Province) -> None:
    duc = make_staff(province["dept_justice"], "Nguyễn Văn Đức", "STP-001")
    for query in ("đức,", "ĐỨC!", "(duc)", "Đ\x00ức"):
        assert list(StaffMember.objects.search(query)) == [duc], repr(query)
    justice = [province["dept_justice"].pk]
    assert [o.pk for o in Organisation.objects.search("«Sở Tư pháp»")] == justice
    assert Organisation.objects.search("—").count() == Organisation.objects.count()
