"""Alphabetical order of people's names in Kazakh and Russian class lists (not code-point order).

One letter order serves both languages, since Russian's alphabet is the Kazakh one without its nine
extra letters:  А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я.

Decisions:

- Ё sorts as Е; only between names otherwise equal does Е come first (as in Russian dictionaries).
  The same surname is written both ways (Семёнов, Семенов), so both spellings must stand together.
- Latin letters come after all Cyrillic ones (a name in Latin script goes to the end of a Cyrillic
  list), a..z with diacritics ignored; digits come before letters; other scripts last, by code point.
- Spaces and hyphens separate words and sort before any letter, so a double-barrelled surname follows
  its first half: Петров < Петров-Водкин < Петрова. Apostrophes, dots and other marks are
  ignored except to break ties.
- Case is ignored, and NFC and NFD spellings give the same key: two names have equal keys exactly when
  their parts are the same text up to case, Unicode normalization and surrounding spaces.
- All parts' letters are compared first (surname, then first name, then patronymic); only then the
  tie-breaks (Е/Ё, accents, marks), part by part, in code-point order of the case-folded text.
"""

import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["ALPHABET", "NameKey", "name_sort_key", "sort_people"]

ALPHABET = "АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ"

NameKey = tuple[tuple[tuple[int, ...], ...], tuple[str, ...]]

_SEPARATOR = 0
_DIGIT = 1  # + digit value
_CYRILLIC = 100  # + position in ALPHABET
_LATIN = 200  # + position in a..z
_OTHER = 1000  # + code point

_RANK = {letter: _CYRILLIC + i for i, letter in enumerate(ALPHABET.lower())}
_RANK["ё"] = _RANK["е"]
_RANK.update({chr(ord("a") + i): _LATIN + i for i in range(26)})


def name_sort_key(*parts: str | None) -> NameKey:
    """The sort key of a name given as its parts, e.g. (last_name, first_name, middle_name); None = ''."""
    folded = tuple(_folded(part or "") for part in parts)
    return tuple(_letters(text) for text in folded), folded


def _full_name(person: Any) -> tuple[str | None, str | None, str | None]:
    return person.last_name, person.first_name, person.middle_name


def sort_people[T](
    items: Iterable[T], key: Callable[[T], Iterable[str | None]] = _full_name
) -> list[T]:
    """`items` in alphabetical order of their names; people with equal keys keep their given order.

    `key` gives a person's name parts, by default (last_name, first_name, middle_name).
    """
    return sorted(items, key=lambda item: name_sort_key(*key(item)))


@functools.lru_cache(maxsize=8192)
def _folded(text: str) -> str:
    """Case-folded NFC text without surrounding spaces."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold()).strip()


@functools.lru_cache(maxsize=8192)
def _letters(text: str) -> tuple[int, ...]:
    """The primary weights of folded text: one per letter, digit or word break; marks dropped."""
    weights: list[int] = []
    for char in text:
        weight = _weight(char)
        if weight is None or (weight == _SEPARATOR and weights[-1:] in ([], [_SEPARATOR])):
            continue  # a mark, or a word break at the start or repeated
        weights.append(weight)
    if weights[-1:] == [_SEPARATOR]:
        weights.pop()
    return tuple(weights)


def _weight(char: str) -> int | None:
    if char in _RANK:
        return _RANK[char]
    category = unicodedata.category(char)
    if category[0] == "Z" or category == "Pd" or char.isspace():
        return _SEPARATOR
    if category == "Nd":
        return _DIGIT + unicodedata.decimal(char)
    base = unicodedata.normalize("NFD", char)[0]
    if base in _RANK:
        return _RANK[base]
    if category[0] in "LN":
        return _OTHER + ord(char)
    return None
