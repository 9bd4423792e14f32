"""The Kundelik / Dnevnik.ru API v2 compatibility layer (kundelik-v2.md): read routes under `/v2/` and `/v2.0/`.

One table of routes, each registered under both prefixes (Chalice has no greedy routes). Every route takes the
token as the `Access-Token` header or the `access_token` query parameter (not the v1 Bearer header) and reads
the same store as v1 under the same policy. Paths with no route, up to `UNKNOWN_DEPTH` segments deep, answer
`apiUnknownError`; a method other than GET on a route, `apiUnknownError` 405. Answers are JSON; errors are the
v2 envelope (`envelope`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.kundelik import groups, lessons, marks, me
from chalicelib.api.kundelik.access import Call, caller_of_request
from chalicelib.api.kundelik.envelope import PREFIXES, KundelikError, UnknownRoute, answer, error_response
from chalicelib.domain.errors import Problem

__all__ = ["bp", "ROUTES", "UNKNOWN_DEPTH"]

bp = Blueprint(__name__)

View = Callable[[Call], Any]
ROUTES: tuple[tuple[str, View], ...] = (
    ("users/me", me.user),
    ("users/me/context", me.context),
    ("persons/{person}/schools/{school}/marks/{start}/{end}", marks.person_marks),
    ("persons/{person}/lesson-log-entries", marks.log_entries),
    ("persons/{person}/groups/{group}/schedules", lessons.schedule),
    ("persons/{person}/edu-groups/{group}/final-marks", marks.final_marks),
    ("edu-groups/{group}/marks/{start}/{end}", marks.group_marks),
    ("edu-groups/{group}/subjects", groups.group_subjects),
    ("edu-groups/{group}/reporting-periods", groups.reporting_periods),
    ("lessons/{lesson}", lessons.lesson),
    ("users/me/school/{school}/homeworks", lessons.homeworks),
    ("lesson-log-entries/statuses", groups.attendance_statuses),
    ("marks/values", groups.mark_values),
)
UNKNOWN_DEPTH = 8
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _serving(view: View) -> Callable[..., Response]:
    def handler(**params: str) -> Response:
        request = bp.current_request
        try:
            if request.method != "GET":
                raise UnknownRoute("This route is read-only: GET it.", 405, {"Allow": "GET"})
            return answer(view(Call.of(caller_of_request(request), params, request.query_params)))
        except (KundelikError, Problem) as failure:
            return error_response(failure)

    return handler


def _unknown(**_: str) -> Response:
    return error_response(UnknownRoute("No such route: check the method and the path."))


def _register() -> None:
    for prefix in PREFIXES:
        name = prefix.strip("/").replace(".", "_")
        for path, view in ROUTES:
            bp.route(f"{prefix}/{path}", methods=_METHODS, content_types=["*/*"],
                     name=f"{name}_{view.__name__}")(_serving(view))
        for depth in range(1, UNKNOWN_DEPTH + 1):
            path = "/".join(f"{{segment{n}}}" for n in range(depth))
            bp.route(f"{prefix}/{path}", methods=_METHODS, content_types=["*/*"],
                     name=f"{name}_unknown_{depth}")(_unknown)


_register()
