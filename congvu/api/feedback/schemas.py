"""What several topics of the ratings API share: the public tag, the rating channels,
and the short references to a staff member and a counter.
"""

from typing import Literal

from ninja import Schema

PUBLIC_TAGS = ["Đánh giá công khai / Public ratings"]

Channel = Literal["badge", "dossier", "counter", "kiosk"]


class StaffNameOut(Schema):
    id: int
    full_name: str


class CounterRef(Schema):
    id: int
    name: str
