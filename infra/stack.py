"""One stack per stage (`ejournal-dev`, `ejournal-prod`) with everything the service needs, wired together."""
from __future__ import annotations

from pathlib import Path

from aws_cdk import App, CfnOutput, Environment, Stack, Tags
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.access import access_of, grant_access
from infra.data import DataTables, FilesBucket, table_definitions
from infra.gateway import RateLimitAcl, configure_rest_api
from infra.identity import UserDirectory
from infra.notifications import MailSender
from infra.operations import Operations
from infra.queues import TaskQueue, failure_queue
from infra.service import ChaliceService
from infra.stages import StageSettings
from infra.streams import UnknownStream, connect_stream_consumer, stream_table_suffix

__all__ = ["REPO_ROOT", "TASKS_QUEUE_NAME", "ServiceStack", "UnknownQueue", "build"]

REPO_ROOT = Path(__file__).resolve().parent.parent
TASKS_QUEUE_NAME = "ejournal-tasks"  # the placeholder queue name of app.py's `@app.on_sqs_message`


class UnknownQueue(ValueError):
    """A handler listens to a queue that this stack does not make."""


class ServiceStack(Stack):
    """Tables, files, queues, identity, mail, the Chalice app with per-function roles, API protection, operations."""

    def __init__(self, scope: Construct, stage: StageSettings, *, work_dir: Path,
                 account: str | None = None) -> None:
        super().__init__(scope, stage.name, stack_name=f"ejournal-{stage.name}",
                         env=Environment(account=account, region=stage.region),
                         description=f"ejournal-kz {stage.name}: electronic school journal")
        Tags.of(self).add("project", "ejournal-kz")
        Tags.of(self).add("stage", stage.name)
        self.data = DataTables(self, "Data", stage, table_definitions())
        self.files = FilesBucket(self, "Files", stage)
        self.tasks = TaskQueue(self, "Tasks", stage)
        self.users = UserDirectory(self, "Users", stage)
        CfnOutput(self, "UserPoolId", value=self.users.pool.user_pool_id,
                  description="COGNITO_USER_POOL_ID for the operator command and the web and mobile apps")
        CfnOutput(self, "UserPoolClientId", value=self.users.client.user_pool_client_id,
                  description="COGNITO_CLIENT_IDS: the app client the web and mobile apps sign in with")
        self.mail = MailSender(self, "Mail", stage)
        self.service = ChaliceService(self, "Service", stage=stage, source_dir=REPO_ROOT, work_dir=work_dir,
                                      environment=self._environment(stage), log_key=self.data.key)
        # Records the stream consumers gave up on (chalicelib/streams/batch.py), for the redrive command.
        self.stream_dead_letters = failure_queue(self, "StreamDeadLetters")
        for logical_id, role in self.service.roles.items():
            access = access_of(logical_id)
            grant_access(role, access, data=self.data, files=self.files.bucket, tasks=self.tasks,
                         dead_letters=self.stream_dead_letters, mail=self.mail,
                         push_application_arn=stage.push_application_arn, user_pool_arn=self.users.pool.user_pool_arn)
            if access.park_records:
                self.service.functions[logical_id].add_property_override(
                    "Environment.Variables.DEAD_LETTER_QUEUE_URL", self.stream_dead_letters.queue_url)
        self._connect_task_queue()
        dead_letters = {"tasks": self.tasks.dead_letters, "stream-records": self.stream_dead_letters}
        consumers = []
        for logical_id, event_name, properties in self.service.events("DynamoDB"):
            failures = failure_queue(self, f"{logical_id}StreamFailures")
            connect_stream_consumer(self.service.functions[logical_id], event_name,
                                    table=self._streamed_table(properties["Stream"]),
                                    role=self.service.roles[logical_id], failures=failures,
                                    source=stage.stream_source)
            dead_letters[f"{logical_id}-stream"] = failures
            consumers.append(logical_id)

        access_logs = logs.LogGroup(self, "ApiAccessLogs", retention=stage.log_retention,
                                    encryption_key=self.data.key)
        self._api_gateway_logging_role()
        api_name = configure_rest_api(self.service.rest_api, stage, access_logs)
        if stage.waf:
            RateLimitAcl(self, "Firewall", stage, self.service.rest_api)
        self.operations = Operations(
            self, "Operations", stage=stage, api_name=api_name,
            functions={i: f.ref for i, f in self.service.functions.items()},
            tables=self.data.tables, dead_letters=dead_letters, stream_consumers=consumers, key=self.data.key)

    def _environment(self, stage: StageSettings) -> dict[str, str]:
        """Every variable chalicelib/config.py reads (AWS_REGION is Lambda's own; SIGNING_KEYS is local only)."""
        return {
            "STAGE": stage.name,
            "TABLE_PREFIX": stage.table_prefix,
            "IDENTITY_PROVIDER": "cognito",
            "COGNITO_REGION": self.region,
            "COGNITO_USER_POOL_ID": self.users.pool.user_pool_id,
            "COGNITO_CLIENT_IDS": self.users.client.user_pool_client_id,
            "TOKEN_ISSUER": f"https://ejournal.kz/{stage.name}",
            "TOKEN_AUDIENCE": "ejournal-api",
            "TOKEN_TTL_SECONDS": "3600",
            "KDF_COST": "strong",
            "LOGIN_MAX_FAILURES": "5",
            "LOGIN_LOCKOUT_SECONDS": "900",
            "FILES_BUCKET": self.files.bucket.bucket_name,
            "TASKS_QUEUE_URL": self.tasks.queue.queue_url,
            "MAX_BODY_BYTES": str(1024 * 1024),
            "MAIL_FROM": stage.mail_from,
            "PUSH_APPLICATION_ARN": stage.push_application_arn,
            "NOTICE_WINDOW_SECONDS": str(stage.notice_window_seconds),
        }

    def _connect_task_queue(self) -> None:
        for logical_id, event_name, properties in self.service.events("SQS"):
            queue = properties["Queue"]
            placeholder = queue.get("Fn::Sub", "") if isinstance(queue, dict) else queue
            if not placeholder.endswith(f":{TASKS_QUEUE_NAME}"):
                raise UnknownQueue(f"{logical_id} listens to {queue!r}; only {TASKS_QUEUE_NAME} exists")
            self.service.functions[logical_id].add_property_override(
                f"Events.{event_name}.Properties.Queue", self.tasks.queue.queue_arn)

    def _streamed_table(self, stream_arn: object) -> dynamodb.Table:
        suffix = stream_table_suffix(stream_arn)
        table = self.data.streamed().get(suffix)
        if table is None:
            raise UnknownStream(f"a consumer reads the stream of {suffix!r}, which is not a streamed table")
        return table

    def _api_gateway_logging_role(self) -> None:
        """API Gateway writes access and execution logs with the account's CloudWatch role (one per account)."""
        role = iam.Role(self, "ApiGatewayLoggingRole", assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
                        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(
                            "service-role/AmazonAPIGatewayPushToCloudWatchLogs")])
        account = apigateway.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
        self.service.rest_api.node.add_dependency(account)


def build(app: App, stage: StageSettings, *, account: str | None = None) -> ServiceStack:
    """Add the stage's stack to `app`; Chalice packages the app under the app's output directory."""
    return ServiceStack(app, stage, work_dir=Path(app.outdir) / "chalice", account=account)
