"""Identity in AWS stages: the user pool the roster import fills, and who may change its users."""
from __future__ import annotations

from chalicelib.domain.roster import parse_roster
from infra.access import CREATE_LOGIN_ACTIONS, MANAGE_LOGIN_ACTIONS

from tests.infra.test_iam import _as_list, _role_of, _statements


def _pool(stage) -> tuple[str, dict]:
    ((pool_id, pool),) = stage.resources("AWS::Cognito::UserPool").items()
    return pool_id, pool["Properties"]


def test_every_user_carries_an_immutable_person_id(stage):
    _, pool = _pool(stage)
    (person_id,) = [a for a in pool["Schema"] if a["Name"] == "person_id"]
    assert person_id["AttributeDataType"] == "String" and person_id["Mutable"] is False


def test_the_pool_accepts_every_password_the_roster_accepts(stage):
    _, pool = _pool(stage)
    policy = pool["Policies"]["PasswordPolicy"]
    shortest = "abcdefgh"  # 8 lower-case letters: a roster's initial password may be just that
    (row,) = parse_roster(f"role,external_id,last_name,first_name,middle_name,class_id,username,password,"
                          f"guardian_of,language,email,phone\nteacher,T1,A,B,,,t.one,{shortest},,kk,,\n".encode())
    assert row.password == shortest and policy["MinimumLength"] <= len(shortest)
    assert not any(policy.get(f"Require{kind}") for kind in ("Uppercase", "Lowercase", "Numbers", "Symbols"))


def test_the_api_manages_logins_the_tasks_only_make_them_and_only_in_the_pool(stage):
    pool_id, _ = _pool(stage)
    pool_arn = {"Fn::GetAtt": [pool_id, "Arn"]}
    allowed = {"APIHandler": MANAGE_LOGIN_ACTIONS, "Tasks": CREATE_LOGIN_ACTIONS}
    assert set(CREATE_LOGIN_ACTIONS) < set(MANAGE_LOGIN_ACTIONS)
    for function in stage.functions():
        granted = [s for s in _statements(stage, _role_of(stage, function))
                   if any(a.startswith("cognito-idp:") for a in _as_list(s["Action"]))]
        if function in allowed:
            (statement,) = granted
            assert sorted(_as_list(statement["Action"])) == sorted(allowed[function])
            assert _as_list(statement["Resource"]) == [pool_arn]
        else:
            assert granted == [], function


def test_the_stack_names_its_pool_and_app_client(stage):
    outputs = stage.json["Outputs"]
    pool_id, _ = _pool(stage)
    assert outputs["UserPoolId"]["Value"] == {"Ref": pool_id}
    (client_id,) = stage.resources("AWS::Cognito::UserPoolClient")
    assert outputs["UserPoolClientId"]["Value"] == {"Ref": client_id}


def test_no_app_client_may_write_the_person_id_the_app_trusts(stage):
    clients = stage.resources("AWS::Cognito::UserPoolClient")
    assert clients
    for client_id, client in clients.items():
        props = client["Properties"]
        writable = props.get("WriteAttributes")
        assert writable, f"{client_id}: unset write attributes let users write their own attributes"
        assert "custom:person_id" not in writable
        assert not [a for a in writable if a.startswith("custom:")], client_id
        assert "custom:person_id" in props.get("ReadAttributes", ["custom:person_id"])  # the claim reaches tokens
