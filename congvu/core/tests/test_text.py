from hypothesis import given
from hypothesis import strategies as st

from congvu.core.text import fold, name_sort_key, search_terms, split_vietnamese_name


def test_fold_strips_marks_and_maps_d_with_stroke():
    assert fold("Vòi vĩnh") == "voi vinh"
    assert fold("ĐỨC  Đạt") == "duc dat"
    assert search_terms("  Rượu   bia ") == ["ruou", "bia"]


def test_names_split_into_family_middle_and_given():
    assert split_vietnamese_name("Nguyễn Thị Minh Khai") == ("Nguyễn", "Thị Minh", "Khai")
    assert split_vietnamese_name("Lan") == ("", "", "Lan")


def test_vietnamese_lists_sort_by_given_name_then_family_name():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê An", "Đỗ Văn Dũng", "Phạm Đức"]
    assert sorted(names, key=name_sort_key) == [
        "Lê An",
        "Nguyễn Thị An",
        "Trần Văn Bình",
        "Đỗ Văn Dũng",
        "Phạm Đức",
    ]


def test_letters_follow_the_vietnamese_alphabet():
    # a < ă < â, d < đ, o < ô < ơ, u < ư
    given_names = ["Ân", "Ăn", "An", "Đan", "Dung", "Ơn", "Ôn", "On", "Ưng", "Ung"]
    ordered = sorted(given_names, key=name_sort_key)
    assert ordered == ["An", "Ăn", "Ân", "Dung", "Đan", "On", "Ôn", "Ơn", "Ung", "Ưng"]


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạ ", max_size=30))
def test_collation_keys_only_use_ascii_letters_and_digits(text):
    key = name_sort_key(text)
    assert all(ch.isascii() and ch.isalnum() for ch in key)
