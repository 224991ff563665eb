import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from congvu.core.text import (
    MAX_SEARCH_WORDS,
    fold,
    name_key,
    name_sort_key,
    search_terms,
    search_words,
    split_vietnamese_name,
)


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


def test_name_keys_fold_case_and_spaces_but_keep_accents():
    assert name_key("  VĂN   PHÒNG ") == name_key("văn phòng")
    assert name_key("ĐỘI") == name_key("Đội")
    assert name_key("Đội") != name_key("Đôi") != name_key("Dội")
    assert name_key("Hòa") != name_key("Hóa")
    assert name_key("Tân Phú") != name_key("Tân Phụ")


def test_the_old_and_the_new_tone_placement_give_one_name_key():
    assert name_key("Phường Hòa Bình") == name_key("phường hoà bình")
    assert name_key("Xã Thủy Nguyên") == name_key("XÃ THUỶ NGUYÊN")
    assert name_key("Khỏe") == name_key("Khoẻ")
    assert name_key("Hoà") != name_key("Hoá") != name_key("Hoa")


def test_a_name_typed_with_combining_marks_has_the_precomposed_names_key():
    decomposed = unicodedata.normalize("NFD", "Phường Hòa Bình")
    assert name_key(decomposed) == name_key("PHƯỜNG HÒA BÌNH")


VIETNAMESE_LETTERS = (
    "".join(
        unicodedata.normalize("NFC", base + tone)
        for base in "aăâeêioôơuưy"
        for tone in ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
    )
    + "bcdđghklmnpqrstvx "
)


@given(st.text(alphabet=VIETNAMESE_LETTERS))
def test_vietnamese_names_keys_do_not_depend_on_case_or_normal_form(text):
    key = name_key(text)
    assert name_key(text.upper()) == key
    assert name_key(unicodedata.normalize("NFD", text.title())) == key
    assert fold(key) == fold(text)


def test_a_search_drops_the_punctuation_around_words_and_keeps_it_inside():
    assert search_terms("«Nguyễn, Văn Đức»!") == ["nguyen", "van", "duc"]
    assert search_terms("(Sở Tư pháp)") == ["so", "tu", "phap"]
    # Codes keep their inner dots, slashes and hyphens.
    assert search_terms("II.1.c. 86/KH-UBND") == ["ii.1.c", "86/kh-ubnd"]
    assert search_words("Đức,") == [("Đức", "duc")]


def test_a_search_of_punctuation_or_control_characters_only_is_no_search():
    for query in ("", "   ", "...", "%", "_", "\\", "—", "\x00", "\t\n", '"?!"'):
        assert search_terms(query) == [], repr(query)
    # A NUL inside a word is dropped (PostgreSQL refuses NUL in a query).
    assert search_terms("Đ\x00ức") == ["duc"]
    # Symbols are words: an emoji is searched (and found nowhere), not dropped.
    assert search_terms("😀") == ["😀"]


def test_a_search_reads_at_most_so_many_words():
    assert len(search_terms("a " * 5000)) == MAX_SEARCH_WORDS


@given(st.text())
def test_search_words_never_hold_spaces_or_control_characters(text):
    for word in search_terms(text):
        assert word and not any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in word)
