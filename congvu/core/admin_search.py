"""The Django admin's search box, read as every other search box of the product."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.contrib.admin.utils import lookup_spawns_duplicates
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from congvu.core.text import fold, search_words


class FoldedSearch:
    """A ModelAdmin mixin: accents, case and đ ignored ("duc" and "Đức" find "Đức"), the
    punctuation around a word too, and every word must occur in one of the fields.

    Django's own search matches each word with `icontains`: neither "duc" nor, on SQLite
    (whose LIKE folds ASCII only), "đức" finds "Đức". `search_fields` still lists every
    field searched (the box shows only when it is set), read three ways:

    - `folded_search_fields`, a subset: stored folded copies (`search_text`,
      `search_name`), matched with `contains` of the folded word in the database;
    - `fold_in_python`: a small table with no folded copy (code versions, users): its
      `search_fields` are folded here, row by row, as `accounts.selectors.search_users`
      does for the users' list;
    - the other fields (codes): `icontains` of the word as typed or folded.
    """

    search_fields: ClassVar[Sequence[str]] = ()
    folded_search_fields: ClassVar[Sequence[str]] = ()
    fold_in_python: ClassVar[bool] = False
    opts: Any

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        words = search_words(search_term)
        fields = list(self.search_fields)
        if not words or not fields:
            return queryset, False
        duplicates = any(lookup_spawns_duplicates(self.opts, field) for field in fields)
        if self.fold_in_python:
            terms = [folded for _typed, folded in words]
            ids = {
                row[0]
                for row in queryset.values_list("pk", *fields)
                # A line break between the fields: no word spans two of them.
                if all(term in "\n".join(fold(str(v or "")) for v in row[1:]) for term in terms)
            }
            return queryset.filter(pk__in=ids), False
        folded_fields = [field for field in fields if field in self.folded_search_fields]
        plain_fields = [field for field in fields if field not in self.folded_search_fields]
        for typed, folded in words:
            match = Q()
            for field in folded_fields:
                match |= Q(**{f"{field}__contains": folded})
            for field in plain_fields:
                match |= Q(**{f"{field}__icontains": typed}) | Q(**{f"{field}__icontains": folded})
            queryset = queryset.filter(match)
        return queryset, duplicates
