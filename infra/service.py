"""The Chalice app (app.py, chalicelib/) packaged by `chalice.cdk.Chalice`, with a role and log group per function.

`chalice package` runs during synth and writes a SAM template plus deployment.zip, which `infra.package` slims
(the runtime's boto3 left out, bytecode in) and rids of the report libraries before CDK hashes and includes
both: those go to a Lambda layer (`report_layer`) attached to the functions in `REPORT_FUNCTIONS` only. Chalice's
own IAM handling is off (`manage_iam_role: false`): each function's `Role` is replaced by a role of its own
here, granted by infra/access.py. Environment variables are everything chalicelib/config.py reads, set on
every function (settings are read once, whichever handler runs first), but the dead-letter queue's URL, which
infra/stack.py gives only to the functions that may send to it.
"""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from aws_cdk import CfnResource, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_lambda as lambda_
from chalice.cdk import Chalice
from constructs import Construct

from infra.gateway import API_STAGE
from infra.package import LAMBDA_ARCHITECTURE, REPORT_FUNCTIONS, package_runtime, report_layer, slim_package
from infra.stages import StageSettings

__all__ = ["PLACEHOLDER_ROLE", "ChaliceService", "chalice_config"]

PLACEHOLDER_ROLE = "arn:aws:iam::000000000000:role/each-function-gets-its-own-role-in-infra"


def chalice_config(stage: StageSettings) -> dict[str, Any]:
    """Chalice settings of the stage (they take precedence over .chalice/config.json)."""
    return {
        "api_gateway_stage": API_STAGE,
        "api_gateway_endpoint_type": "REGIONAL",  # WAF and access logs on the stage; no Chalice-made CloudFront
        "lambda_architecture": LAMBDA_ARCHITECTURE,
        "lambda_memory_size": stage.api_function.memory_mb,
        "lambda_timeout": stage.api_function.timeout_seconds,
        "manage_iam_role": False,
        "iam_role_arn": PLACEHOLDER_ROLE,
        "autogen_policy": False,
        "xray": stage.xray,
    }


class _SlimChalice(Chalice):
    """`chalice.cdk.Chalice` whose deployment.zip is slimmed right after `chalice package` wrote it, the report
    libraries moved to the layer zip beside it (`report_layer_zip`)."""

    def _package_app(self) -> None:
        super()._package_app()
        package = Path(self._sam_package_dir)
        slim_package(package / "deployment.zip", runtime=package_runtime(package))
        report_layer(package / "deployment.zip", self.report_layer_zip)

    @property
    def report_layer_zip(self) -> Path:
        return Path(self._sam_package_dir) / "report-layer.zip"


class ChaliceService(Construct):
    """The packaged app: `functions` (logical id -> AWS::Serverless::Function), their `roles`, the `rest_api`,
    the `report_layer` of the functions that render report files."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: StageSettings, source_dir: Path,
                 work_dir: Path, environment: Mapping[str, str], log_key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        with _packaging_directory(work_dir, stage.region):
            # Chalice names its stage after the scope's path: the stack, whose id is the stage name.
            self.chalice = _SlimChalice(stack, "Api", source_dir=str(source_dir),
                                        stage_config=chalice_config(stage))
        self.report_layer = lambda_.LayerVersion(
            self, "ReportLibraries", code=lambda_.Code.from_asset(str(self.chalice.report_layer_zip)),
            compatible_architectures=[lambda_.Architecture.custom(LAMBDA_ARCHITECTURE)],
            compatible_runtimes=[lambda_.Runtime(package_runtime(Path(self.chalice._sam_package_dir)),
                                                 lambda_.RuntimeFamily.PYTHON)],
            description="openpyxl, fpdf2, Pillow and the PT Sans font: the report functions' libraries")
        self.sam_resources: dict[str, Any] = _sam_resources(self.chalice)
        self.rest_api: CfnResource = self.chalice.get_resource("RestAPI")
        self.functions: dict[str, CfnResource] = {}
        self.roles: dict[str, iam.Role] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        for logical_id, resource in sorted(self.sam_resources.items()):
            if resource["Type"] == "AWS::Serverless::Function":
                self._function(logical_id, stage, environment, log_key)

    def events(self, event_type: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(function logical id, event name, event properties) of every event source of `event_type` (`SQS`,
        `DynamoDB`, `Schedule`, ...), as Chalice generated them."""
        return [(logical_id, name, event["Properties"])
                for logical_id in self.functions
                for name, event in sorted(self.sam_resources[logical_id]["Properties"].get("Events", {}).items())
                if event["Type"] == event_type]

    def _function(self, logical_id: str, stage: StageSettings, environment: Mapping[str, str],
                  log_key: kms.IKey) -> None:
        function = self.chalice.get_resource(logical_id)
        settings = stage.function(logical_id)
        role = iam.Role(self, f"{logical_id}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description=f"ejournal {stage.name}: the {logical_id} function only")
        log_group = logs.LogGroup(self, f"{logical_id}Logs", retention=stage.log_retention, encryption_key=log_key,
                                  removal_policy=RemovalPolicy.DESTROY)
        log_group.grant_write(role)
        if stage.xray:
            role.add_to_principal_policy(iam.PolicyStatement(  # X-Ray has no resource-level permissions
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]))
        function.add_property_override("Role", role.role_arn)
        if logical_id in REPORT_FUNCTIONS:
            function.add_property_override("Layers", [self.report_layer.layer_version_arn])
        function.add_property_override("MemorySize", settings.memory_mb)
        function.add_property_override("Timeout", settings.timeout_seconds)
        function.add_property_override("LoggingConfig", {"LogGroup": log_group.log_group_name, "LogFormat": "JSON"})
        for name, value in sorted(environment.items()):
            function.add_property_override(f"Environment.Variables.{name}", value)
        function.node.add_dependency(role.node.find_child("DefaultPolicy"))  # no run before its policy exists
        self.functions[logical_id] = function
        self.roles[logical_id] = role
        self.log_groups[logical_id] = log_group


@contextlib.contextmanager
def _packaging_directory(work_dir: Path, region: str) -> Iterator[None]:
    """Run `chalice package` inside `work_dir` (it writes ./chalice.out) with a region for its botocore session."""
    work_dir.mkdir(parents=True, exist_ok=True)
    before = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = before or region
    try:
        with contextlib.chdir(work_dir):
            yield
    finally:
        if before is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)


def _sam_resources(chalice: Chalice) -> dict[str, Any]:
    """The resources of the SAM template Chalice generated (its event sources cannot be read back through CDK)."""
    template = Path(chalice._sam_package_dir) / "sam.json"  # chalice==1.34 keeps the package here
    return json.loads(template.read_text(encoding="utf-8"))["Resources"]
