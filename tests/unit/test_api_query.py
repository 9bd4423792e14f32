"""A view reads only the query parameters its endpoint declares: reading another is a programming error that
fails loudly (never a client's 4xx), so the OpenAPI document lists every parameter a client may send."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client

from chalicelib.api import http
from chalicelib.api.http import Call, Query, UndeclaredQuery, endpoint


def _call(sent: dict[str, str], declared: tuple[str, ...]) -> Call:
    request = SimpleNamespace(query_params=sent, method="GET", path="/v1/things")
    return Call(request, None, {}, declared)


def test_a_declared_name_reads_what_was_sent_or_the_default() -> None:
    call = _call({"period": "T1"}, ("period", "limit"))
    assert call.query("period") == "T1"
    assert call.query("limit") is None
    assert call.query("limit", "50") == "50"


def test_reading_an_undeclared_name_raises_even_when_the_client_sent_it() -> None:
    call = _call({"year": "2026"}, ("period",))
    with pytest.raises(UndeclaredQuery, match="'year'"):
        call.query("year")
    with pytest.raises(LookupError):  # a programming error, not a Problem a client would be answered
        _call({}, ()).query("period")


def test_a_view_reading_an_undeclared_name_fails_the_request_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "ENDPOINTS", [])  # the app's own document stays as it is
    app, bp = Chalice("query-test"), Blueprint("query_test")

    @endpoint(bp, "/v1/declared", summary="Reads what it declares", public=True,
              query={"period": Query.one_of("The period", ("T1", "T2"))})
    def declared(call: Call) -> dict[str, str | None]:
        return {"period": call.query("period")}

    @endpoint(bp, "/v1/undeclared", summary="Reads a name it does not declare", public=True)
    def undeclared(call: Call) -> dict[str, str | None]:
        return {"period": call.query("period")}

    app.register_blueprint(bp)
    with Client(app) as client:
        assert client.http.get("/v1/declared?period=T1").json_body == {"period": "T1"}
        assert client.http.get("/v1/undeclared?period=T1").status_code == 500
        assert client.http.get("/v1/undeclared").status_code == 500  # whatever the client sends
    assert [(e.path, [name for name, _ in e.query]) for e in http.ENDPOINTS] == [
        ("/v1/declared", ["period"]), ("/v1/undeclared", [])]
