"""API Gateway around the Chalice REST API: stage throttling and logs, problem+json Gateway Responses, WAF.

API Gateway answers some requests itself, before Lambda runs: an unknown route (as 403 "Missing Authentication
Token"), throttling, a body over its limit. Gateway Responses make those answers RFC 9457 problem documents
with the same `type` URIs, titles and statuses as the app's own (chalicelib.domain.errors). They go into the
SAM API definition (`GatewayResponses`), so a change redeploys the stage.
"""
from __future__ import annotations

import json
from typing import Any

from aws_cdk import Acknowledgment, Aws, CfnResource, Fn, Validations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from chalicelib.domain.errors import (
    PROBLEM_BASE, BadRequest, Forbidden, NotFound, PayloadTooLarge, Problem, TooManyRequests, Unauthorized,
    UnsupportedMediaType,
)
from infra.stages import StageSettings

__all__ = ["API_STAGE", "PROBLEM_JSON", "GATEWAY_PROBLEMS", "RateLimitAcl", "configure_rest_api",
           "gateway_responses"]

API_STAGE = "v1"  # the API Gateway stage Chalice deploys
PROBLEM_JSON = "application/problem+json"


class _GatewayTimeout(Problem):
    status, slug, title = 504, "gateway-timeout", "The service took too long to answer"


class _BadGateway(Problem):
    status, slug, title = 502, "bad-gateway", "The service could not answer"


# Gateway Response type -> (problem kind, detail). DEFAULT_* catch the types not listed.
GATEWAY_PROBLEMS: dict[str, tuple[type[Problem], str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (NotFound, "No such route: check the method and the path."),
    "RESOURCE_NOT_FOUND": (NotFound, "No such route: check the method and the path."),
    "THROTTLED": (TooManyRequests, "Too many requests: wait a moment and retry."),
    "QUOTA_EXCEEDED": (TooManyRequests, "Too many requests: wait a moment and retry."),
    "REQUEST_TOO_LARGE": (PayloadTooLarge, "The request is larger than the service accepts."),
    "UNAUTHORIZED": (Unauthorized, "A valid bearer token is required."),
    "ACCESS_DENIED": (Forbidden, "This request is not allowed."),
    "WAF_FILTERED": (Forbidden, "This request was refused by the firewall."),
    "UNSUPPORTED_MEDIA_TYPE": (UnsupportedMediaType, "This content type is not accepted."),
    "INTEGRATION_TIMEOUT": (_GatewayTimeout, "The service did not answer in time: retry later."),
    "DEFAULT_4XX": (BadRequest, "The request was refused by the API gateway."),
    "DEFAULT_5XX": (_BadGateway, "The service could not answer: retry later."),
}
_RETRY_AFTER_SECONDS = 1


def _document(kind: type[Problem], detail: str, *, with_status: bool) -> str:
    doc: dict[str, Any] = {"type": PROBLEM_BASE + kind.slug, "title": kind.title}
    if with_status:  # a DEFAULT_* response keeps whatever status API Gateway chose, unknown here
        doc["status"] = kind.status
    doc.update({"detail": detail, "errors": [], "request_id": "$context.requestId"})
    return json.dumps(doc, ensure_ascii=False)


def gateway_responses() -> dict[str, Any]:
    """The SAM `GatewayResponses` of the API: every gateway-made answer as application/problem+json."""
    responses: dict[str, Any] = {}
    for response_type, (kind, detail) in GATEWAY_PROBLEMS.items():
        default = response_type.startswith("DEFAULT_")
        headers = {"Content-Type": f"'{PROBLEM_JSON}'"}
        if kind is TooManyRequests:
            headers["Retry-After"] = f"'{_RETRY_AFTER_SECONDS}'"
        response: dict[str, Any] = {
            "ResponseParameters": {"Headers": headers},
            "ResponseTemplates": {"application/json": _document(kind, detail, with_status=not default)},
        }
        if not default:
            response["StatusCode"] = str(kind.status)
        responses[response_type] = response
    return responses


_ACCESS_LOG_FORMAT = json.dumps({  # no caller IP, user agent or path parameters: no personal data in logs
    "request_id": "$context.requestId", "time": "$context.requestTimeEpoch", "method": "$context.httpMethod",
    "route": "$context.resourcePath", "status": "$context.status", "bytes": "$context.responseLength",
    "latency_ms": "$context.responseLatency", "lambda_ms": "$context.integration.latency",
    "gateway_error": "$context.error.responseType", "waf": "$context.waf.status",
    "trace_id": "$context.xrayTraceId",
})


def configure_rest_api(rest_api: CfnResource, stage: StageSettings, access_logs: logs.ILogGroup) -> str:
    """Set the stage-level settings of the Chalice `RestAPI` (an AWS::Serverless::Api); returns the API name."""
    name = f"ejournal-{stage.name}"
    rest_api.add_property_override("Name", name)
    rest_api.add_property_override("TracingEnabled", stage.xray)
    rest_api.add_property_override("MethodSettings", [{
        "ResourcePath": "/*", "HttpMethod": "*",
        "ThrottlingRateLimit": stage.api_rate_limit, "ThrottlingBurstLimit": stage.api_burst_limit,
        "MetricsEnabled": True, "LoggingLevel": stage.execution_log_level, "DataTraceEnabled": False,
    }])
    rest_api.add_property_override("AccessLogSetting", {"DestinationArn": access_logs.log_group_arn,
                                                        "Format": _ACCESS_LOG_FORMAT})
    rest_api.add_property_override("GatewayResponses", gateway_responses())
    return name


class RateLimitAcl(Construct):
    """A regional WAF web ACL on the API stage: a per-IP rate limit answered 429, and AWS's managed rules
    against known bad inputs and common exploits (the body-size rule only counts: roster uploads are large)."""

    def __init__(self, scope: Construct, construct_id: str, stage: StageSettings, rest_api: CfnResource) -> None:
        super().__init__(scope, construct_id)
        too_many = TooManyRequests("Too many requests from this address: wait a few minutes and retry.", 60)
        self.acl = wafv2.CfnWebACL(
            self, "Acl", scope="REGIONAL", default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"ejournal-{stage.name}"),
            custom_response_bodies={"too-many-requests": wafv2.CfnWebACL.CustomResponseBodyProperty(
                content_type="APPLICATION_JSON", content=json.dumps(too_many.document(), ensure_ascii=False))},
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="rate-per-ip", priority=0, visibility_config=_visibility("rate-per-ip"),
                    statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=wafv2.CfnWebACL.
                        RateBasedStatementProperty(limit=stage.waf_requests_per_ip, aggregate_key_type="IP")),
                    action=wafv2.CfnWebACL.RuleActionProperty(block=wafv2.CfnWebACL.BlockActionProperty(
                        custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                            response_code=TooManyRequests.status, custom_response_body_key="too-many-requests",
                            response_headers=[wafv2.CfnWebACL.CustomHTTPHeaderProperty(
                                name="Retry-After", value=str(too_many.retry_after))])))),
                _managed_rules("AWSManagedRulesKnownBadInputsRuleSet", priority=1),
                _managed_rules("AWSManagedRulesCommonRuleSet", priority=2, count_only=("SizeRestrictions_BODY",)),
            ],
        )
        # `<Api>.Stage` is SAM's reference to the stage it generates: the association waits for the stage.
        stage_name = Fn.ref(f"{rest_api.logical_id}.Stage")
        association = wafv2.CfnWebACLAssociation(
            self, "Association", web_acl_arn=self.acl.attr_arn,
            resource_arn=f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}::/restapis/{rest_api.ref}/stages/{stage_name}")
        Validations.of(association).acknowledge(Acknowledgment(  # CDK checks before the SAM transform; cfn-lint after
            id="CloudFormation-Validate::F1020", reason="RestAPI.Stage exists once SAM has transformed the template"))


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(cloud_watch_metrics_enabled=True, metric_name=metric,
                                                    sampled_requests_enabled=True)


def _managed_rules(name: str, *, priority: int, count_only: tuple[str, ...] = ()) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name, priority=priority, visibility_config=_visibility(name),
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(managed_rule_group_statement=wafv2.CfnWebACL.
            ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=name,
                rule_action_overrides=[wafv2.CfnWebACL.RuleActionOverrideProperty(
                    name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}))
                    for rule in count_only] or None)))
