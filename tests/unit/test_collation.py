"""Kazakh/Russian alphabetical order of pupils' names."""

import unicodedata
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.collation import ALPHABET, name_sort_key, sort_people


@dataclass(frozen=True)
class Pupil:
    last_name: str
    first_name: str
    middle_name: str | None = None


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("Асанов", "Әлиев"),  # Ә after А
        ("Әлиев", "Бекенов"),  # ... and before Б
        ("Гусев", "Ғабитов"),  # Ғ after Г
        ("Ғабитов", "Дәулетов"),
        ("Кузнецов", "Қасымов"),  # Қ after К
        ("Қасымов", "Ларин"),
        ("Назаров", "Ңұрбаев"),  # Ң after Н
        ("Ңұрбаев", "Омаров"),
        ("Омаров", "Өмірбеков"),  # Ө after О
        ("Өмірбеков", "Петров"),
        ("Усов", "Ұлықбеков"),  # Ұ and Ү after У
        ("Ұлықбеков", "Үсенов"),
        ("Үсенов", "Федоров"),
        ("Харитонов", "Һасенов"),  # Һ after Х
        ("Һасенов", "Цой"),
        ("Ыбыраев", "Іскаков"),  # І after Ы
        ("Іскаков", "Эльдаров"),
        ("Ахметов", "Әбдіров"),  # the second letter decides the same way
        ("Сағатов", "Сәрсенов"),
    ],
)
def test_kazakh_letters_take_their_place_in_the_alphabet(earlier, later):
    assert name_sort_key(earlier) < name_sort_key(later)


def test_every_letter_of_the_alphabet_follows_the_one_before():
    for before, after in zip(ALPHABET, ALPHABET[1:]):
        assert name_sort_key(before) < name_sort_key(after), (before, after)


def test_a_class_list_of_kazakh_and_russian_names_is_in_alphabetical_order():
    in_order = [
        Pupil("Абаева", "Айгерім", "Серікқызы"),
        Pupil("Әбенова", "Дана", "Болатқызы"),
        Pupil("Балтабаев", "Ерлан", "Маратұлы"),
        Pupil("Григорьев", "Алексей", "Иванович"),
        Pupil("Ғалымжанов", "Арман", "Қайратұлы"),
        Pupil("Иванов", "Пётр", "Сергеевич"),
        Pupil("Иванова", "Анна", None),
        Pupil("Кузнецова", "Мария", "Сергеевна"),
        Pupil("Қасымов", "Нұрсұлтан", "Ерланұлы"),
        Pupil("Өмірбеков", "Темірлан", "Бауыржанұлы"),
        Pupil("Семёнов", "Алексей", "Андреевич"),
        Pupil("Семенов", "Борис", "Петрович"),
        Pupil("Үсенова", "Әсел", None),
        Pupil("Үсенова", "Әсем", "Даниярқызы"),
    ]
    assert sort_people(reversed(in_order)) == in_order
    assert sorted(in_order, key=lambda p: p.last_name) != in_order  # code-point order differs


def test_a_hyphenated_surname_follows_its_first_half():
    names = ["Петрова", "Петров-Водкин", "Петров", "Петровская", "Петров Водкин"]
    assert sorted(names, key=name_sort_key) == [
        "Петров",
        "Петров Водкин",
        "Петров-Водкин",
        "Петрова",
        "Петровская",
    ]


def test_yo_sorts_with_ye_and_after_it_only_between_equal_names():
    assert sorted(["Ёлкин", "Ершов", "Елкин"], key=name_sort_key) == ["Елкин", "Ёлкин", "Ершов"]


def test_latin_names_come_after_cyrillic_ones():
    assert sorted(["Smith", "Яковлев", "Абаев", "Adams"], key=name_sort_key) == [
        "Абаев",
        "Яковлев",
        "Adams",
        "Smith",
    ]


def test_case_and_unicode_normalization_do_not_matter():
    name = ("Йорданова-Ёлкина", "Әйгерім", "Ғалымқызы")
    decomposed = tuple(unicodedata.normalize("NFD", part) for part in name)
    assert decomposed != name
    assert name_sort_key(*decomposed) == name_sort_key(*name)
    assert name_sort_key(*(part.upper() for part in name)) == name_sort_key(*name)
    assert name_sort_key(*(part.lower() for part in name)) == name_sort_key(*name)


def test_a_missing_middle_name_is_an_empty_one():
    assert name_sort_key("Ли", "Анна", None) == name_sort_key("Ли", "Анна", "")


def test_surrounding_spaces_are_ignored():
    assert name_sort_key("  Абаев ", "Нұрлан") == name_sort_key("Абаев", "Нұрлан")


def test_people_with_equal_names_keep_their_given_order():
    first, second = Pupil("Ли", "Анна", "1"), Pupil("ЛИ", "АННА", "1")
    assert sort_people([first, second]) == [first, second]
    assert sort_people([second, first]) == [second, first]


def test_a_custom_key_picks_the_name_parts():
    rows = [{"surname": "Қасымов"}, {"surname": "Кузнецов"}]
    assert sort_people(rows, key=lambda row: (row["surname"],)) == rows[::-1]


_LETTERS = ALPHABET + ALPHABET.lower() + "ABCXYZabcxyzéÉ"
_NAMES = st.text(alphabet=_LETTERS + " -'\u0306\u0308", max_size=12)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold()).strip()


@given(_NAMES, _NAMES, _NAMES)
def test_name_order_is_a_total_order_consistent_with_equal_names(a, b, c):
    ka, kb, kc = name_sort_key(a), name_sort_key(b), name_sort_key(c)
    assert (ka < kb) + (ka == kb) + (ka > kb) == 1
    assert (ka == kb) == (_folded(a) == _folded(b))
    if ka <= kb and kb <= kc:
        assert ka <= kc


@given(st.lists(st.tuples(_NAMES, _NAMES), max_size=8), st.randoms())
def test_sorting_does_not_depend_on_the_input_order(people, random):
    shuffled = list(people)
    random.shuffle(shuffled)
    keys = [name_sort_key(*p) for p in sort_people(people, key=lambda p: p)]
    assert keys == sorted(keys)
    assert keys == [name_sort_key(*p) for p in sort_people(shuffled, key=lambda p: p)]


@given(st.text(alphabet=_LETTERS + " -", max_size=12))
def test_any_case_and_normal_form_give_the_same_key(name):
    key = name_sort_key(name)
    for variant in (name.upper(), name.lower(), unicodedata.normalize("NFD", name)):
        assert name_sort_key(variant) == key
