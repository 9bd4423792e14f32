"""The Chalice functions and API Gateway: configuration, gateway-made problem+json answers, throttling, WAF."""
from __future__ import annotations

import json
import re

import pytest

from chalicelib.domain.errors import PROBLEM_BASE
from infra.access import ACCESS
from infra.gateway import API_STAGE
from infra.stack import REPO_ROOT
from infra.stages import stage_settings

_CONFIG_READS = re.compile(r'(?:_env|_int|os\.environ\.get)\("([A-Z_]+)"')
_NOT_DEPLOYED = {"AWS_REGION", "AWS_DEFAULT_REGION", "SIGNING_KEYS"}  # Lambda's own; local stages only
_PARKERS_ONLY = {"DEAD_LETTER_QUEUE_URL"}  # only the functions that park stream records get it (test_iam.py)


def _rest_api(stage) -> dict:
    return stage.resources("AWS::Serverless::Api")["RestAPI"]["Properties"]


def test_every_setting_the_code_reads_is_given_to_every_function(stage):
    read = set(_CONFIG_READS.findall((REPO_ROOT / "chalicelib" / "config.py").read_text(encoding="utf-8")))
    assert {"TABLE_PREFIX", "COGNITO_USER_POOL_ID", "TASKS_QUEUE_URL"} | _PARKERS_ONLY <= read
    for name, function in stage.functions().items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert read - _NOT_DEPLOYED - _PARKERS_ONLY <= set(variables), name
        assert ("DEAD_LETTER_QUEUE_URL" in variables) is ACCESS[name].park_records, name
        assert "SIGNING_KEYS" not in variables
        assert variables["TABLE_PREFIX"] == f"ejournal-{stage.stage}"
        assert variables["IDENTITY_PROVIDER"] == "cognito"
        assert variables["KDF_COST"] == "strong"
        assert variables["COGNITO_USER_POOL_ID"] == {"Ref": next(iter(stage.resources("AWS::Cognito::UserPool")))}


def test_functions_run_on_arm64_with_the_memory_the_stage_chose(stage):
    settings = stage_settings(stage.stage)
    for name, function in stage.functions().items():
        props = function["Properties"]
        assert props["Architectures"] == ["arm64"]
        assert props["MemorySize"] == settings.function(name).memory_mb
        assert props["Timeout"] == settings.function(name).timeout_seconds
        assert props["LoggingConfig"]["LogGroup"]["Ref"] in stage.resources("AWS::Logs::LogGroup")


def test_the_tasks_function_reads_the_stage_task_queue_not_the_placeholder(stage):
    events = stage.functions()["Tasks"]["Properties"]["Events"]
    (event,) = events.values()
    queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
    props = stage.resources("AWS::SQS::Queue")[queue]["Properties"]
    dead_letters = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert props["RedrivePolicy"]["maxReceiveCount"] == 3
    assert props["VisibilityTimeout"] >= 6 * stage_settings(stage.stage).tasks_function.timeout_seconds
    dlq = stage.resources("AWS::SQS::Queue")[dead_letters]["Properties"]
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert dlq["SqsManagedSseEnabled"] is True


def test_identity_is_a_user_pool_without_self_sign_up_and_a_public_client(stage):
    stage.template.has_resource_properties("AWS::Cognito::UserPool", {
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True}})
    stage.template.has_resource_properties("AWS::Cognito::UserPoolClient", {"GenerateSecret": False})


@pytest.mark.parametrize("response_type, status, slug", [
    ("MISSING_AUTHENTICATION_TOKEN", "404", "not-found"),  # what API Gateway says for an unknown route
    ("RESOURCE_NOT_FOUND", "404", "not-found"),
    ("THROTTLED", "429", "too-many-requests"),
    ("REQUEST_TOO_LARGE", "413", "payload-too-large"),
    ("UNAUTHORIZED", "401", "unauthorized"),
])
def test_gateway_made_answers_are_problem_documents(dev, response_type, status, slug):
    response = _rest_api(dev)["GatewayResponses"][response_type]
    assert response["StatusCode"] == status
    assert response["ResponseParameters"]["Headers"]["Content-Type"] == "'application/problem+json'"
    document = json.loads(response["ResponseTemplates"]["application/json"])
    assert document["type"] == PROBLEM_BASE + slug
    assert document["status"] == int(status)
    assert document["title"] and document["detail"] and document["errors"] == []


def test_every_gateway_response_is_problem_json(stage):
    responses = _rest_api(stage)["GatewayResponses"]
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    for response in responses.values():
        assert response["ResponseParameters"]["Headers"]["Content-Type"] == "'application/problem+json'"
        assert json.loads(response["ResponseTemplates"]["application/json"])["type"].startswith(PROBLEM_BASE)


def test_throttled_answers_say_when_to_retry(dev):
    assert _rest_api(dev)["GatewayResponses"]["THROTTLED"]["ResponseParameters"]["Headers"]["Retry-After"] == "'1'"


def test_the_stage_is_throttled_logged_and_traced_as_its_settings_say(stage):
    settings = stage_settings(stage.stage)
    props = _rest_api(stage)
    assert props["StageName"] == API_STAGE
    assert props["Name"] == f"ejournal-{stage.stage}"
    assert props["EndpointConfiguration"] == "REGIONAL"
    assert props["TracingEnabled"] is settings.xray
    (method,) = props["MethodSettings"]
    assert (method["ThrottlingRateLimit"], method["ThrottlingBurstLimit"]) == (settings.api_rate_limit,
                                                                              settings.api_burst_limit)
    assert method["DataTraceEnabled"] is False
    log_group = props["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0]
    assert log_group in stage.resources("AWS::Logs::LogGroup")
    access_log = json.loads(props["AccessLogSetting"]["Format"])
    assert "$context.requestId" in access_log.values()
    assert not any("identity" in v for v in access_log.values())  # no caller IP or user agent


def test_api_gateway_may_write_its_logs(stage):
    stage.template.resource_count_is("AWS::ApiGateway::Account", 1)


def test_prod_has_a_rate_limiting_firewall_on_the_api_stage_and_dev_has_none(dev, prod):
    dev.template.resource_count_is("AWS::WAFv2::WebACL", 0)
    (acl,) = prod.resources("AWS::WAFv2::WebACL").values()
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    rate = rules["rate-per-ip"]
    assert rate["Statement"]["RateBasedStatement"]["Limit"] == stage_settings("prod").waf_requests_per_ip
    assert rate["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    (association,) = prod.resources("AWS::WAFv2::WebACLAssociation").values()
    assert {"Ref": "RestAPI.Stage"} in association["Properties"]["ResourceArn"]["Fn::Join"][1]
