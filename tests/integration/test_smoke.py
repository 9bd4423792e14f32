from tests.integration.conftest import Api, body


def test_health_and_login(ministry: Api) -> None:
    assert body(ministry.call("GET", "/v1/health")) == {"status": "ok"}
    me = body(ministry.call("GET", "/v1/me"))
    assert me["roles"] == [{"role": "ministry"}]


def test_create_school(ministry: Api) -> None:
    r = ministry.call("POST", "/v1/schools", {"name": {"kk": "№1 мектеп", "ru": "Школа №1"}, "region": "almaty"})
    assert r.status_code == 201, r.body
    school = body(r)
    r = ministry.call("GET", f"/v1/schools/{school['school_id']}")
    assert body(r)["name"]["kk"] == "№1 мектеп"
