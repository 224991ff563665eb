"""Ratings: dossier registration, rating submission, aggregates (scoped; public ones open)."""

from ninja import Router

router = Router(tags=["Đánh giá / Ratings"])
