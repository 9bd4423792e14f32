"""Request bodies: parse JSON strictly and check it against a small declarative shape.

Shape errors (not JSON, wrong type, missing or unknown field) are 400 with one entry per bad field;
rule checks on well-formed values belong to the domain and answer 422.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from chalicelib.domain.errors import BadRequest, FieldError

__all__ = ["Field", "ListOf", "Shape", "parse_json", "check_shape"]


@dataclass(frozen=True, slots=True)
class ListOf:
    """A JSON array whose items all have the shape `item`."""

    item: Any
    max_items: int | None = None


@dataclass(frozen=True, slots=True)
class Field:
    """One field: its JSON type (`str`, `int`, `bool`, `float`, a `Shape` dict, a `ListOf`), required or not."""

    kind: Any
    required: bool = True
    nullable: bool = False
    check: Callable[[Any], str | None] | None = None  # returns a message when a well-typed value is malformed


Shape = dict[str, Field]

_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", float: "a number",
               dict: "an object", list: "an array"}


def parse_json(raw: bytes | None) -> Any:
    """The body as JSON, or 400 saying why it cannot be read."""
    if not raw:
        raise BadRequest("A JSON body is required.", [FieldError("body", "missing")])
    try:
        value = json.loads(raw.decode("utf-8"))
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # lone surrogates (\ud800) cannot be stored
    except UnicodeError:
        raise BadRequest("The body is not UTF-8.", [FieldError("body", "not UTF-8")]) from None
    except json.JSONDecodeError as exc:
        raise BadRequest("The body is not valid JSON.",
                         [FieldError("body", f"line {exc.lineno} column {exc.colno}: {exc.msg}")]) from None
    except (ValueError, RecursionError):  # a number too long to convert, nesting deeper than the stack
        raise BadRequest("The body is not valid JSON.", [FieldError("body", "too deeply nested or a number "
                                                                            "too long")]) from None
    return value


def check_shape(value: Any, shape: Shape) -> dict[str, Any]:
    """`value` if it has `shape`, else 400 listing every bad field."""
    errors: list[FieldError] = []
    _check_object(value, shape, "", errors)
    if errors:
        raise BadRequest("Some fields are missing, unknown or of the wrong type.", errors)
    return value


def _path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _check_object(value: Any, shape: Shape, prefix: str, errors: list[FieldError]) -> None:
    if not isinstance(value, dict):
        errors.append(FieldError(prefix or "body", "must be an object"))
        return
    for name in value.keys() - shape.keys():
        errors.append(FieldError(_path(prefix, name), "unknown field"))
    for name, spec in shape.items():
        path = _path(prefix, name)
        if name not in value:
            if spec.required:
                errors.append(FieldError(path, "required"))
            continue
        _check_value(value[name], spec, path, errors)


def _check_value(item: Any, spec: Field, path: str, errors: list[FieldError]) -> None:
    if item is None:
        if not spec.nullable:
            errors.append(FieldError(path, "must not be null"))
        return
    kind = spec.kind
    if isinstance(kind, dict):
        _check_object(item, kind, path, errors)
        return
    if isinstance(kind, ListOf):
        if not isinstance(item, list):
            errors.append(FieldError(path, "must be an array"))
            return
        if kind.max_items is not None and len(item) > kind.max_items:
            errors.append(FieldError(path, f"at most {kind.max_items} items"))
            return
        for i, element in enumerate(item):
            _check_value(element, Field(kind.item), f"{path}[{i}]", errors)
        return
    if not _is_type(item, kind):
        errors.append(FieldError(path, f"must be {_TYPE_NAMES.get(kind, kind.__name__)}"))
        return
    if spec.check and (message := spec.check(item)):
        errors.append(FieldError(path, message))


def _is_type(item: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(item, int) and not isinstance(item, bool)
    if kind is float:
        return isinstance(item, (int, float)) and not isinstance(item, bool)
    return isinstance(item, kind)
