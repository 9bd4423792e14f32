"""Every per-stage setting of the deployment, in one place: a frozen `StageSettings` per stage.

Choose a stage with CDK context: `cdk synth -c stage=prod` (default `dev`). Nothing else in infra/ branches on the
stage name; it reads these settings.

Memory (arm64, where Lambda gives 1 vCPU at 1,769 MB and CPU in proportion below that; no function comes near
using its memory, so memory buys CPU):
- the API function gets 1,024 MB (~0.6 vCPU): a warm request is I/O-bound (DynamoDB, a few ms of JSON), but a
  cold start is CPU-bound (importing the app, then PyJWT and cryptography at the first token) and users wait
  for it; 1,024 MB keeps it near a second (bench/ `package` scenario) at half the price of a full vCPU.
  Passwords are Cognito's in AWS stages: no scrypt runs here.
- the tasks function gets the same: a queued roster import waits on Cognito (one user a call, ~25 a second) and
  DynamoDB, so more CPU would not shorten it, and it starts as often cold as the API.
- stream consumers and scheduled jobs get `default_function` (512 MB): I/O-bound batches nobody waits for.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from aws_cdk.aws_logs import RetentionDays

__all__ = [
    "AlarmThresholds", "FunctionSettings", "StageSettings", "StreamSourceSettings", "UnknownStage", "STAGES",
    "stage_settings",
]


class UnknownStage(ValueError):
    """The stage named in the CDK context has no settings."""


@dataclass(frozen=True, slots=True)
class FunctionSettings:
    """Size and time limit of one Lambda function."""

    memory_mb: int
    timeout_seconds: int


@dataclass(frozen=True, slots=True)
class StreamSourceSettings:
    """How Lambda retries a DynamoDB stream batch for a consumer (what Chalice cannot set; see infra/streams.py).

    Bisection isolates a poison record of a 100-record batch in ~7 halvings; 5 retries and one hour bound how
    long a shard can be held up before the record's position goes to the consumer's failure queue. Batch size
    and window are the handler's own (`@app.on_dynamodb_record(batch_size=..., maximum_batching_window_...)`).
    """

    maximum_retry_attempts: int = 5
    maximum_record_age_seconds: int = 3600
    parallelization_factor: int = 1


@dataclass(frozen=True, slots=True)
class AlarmThresholds:
    """When the stage's alarms fire (evaluated over `period_seconds`)."""

    api_5xx_rate: float  # share of requests answered 5xx by API Gateway (0.01 = 1 %)
    lambda_errors: int  # failed invocations of one function per period
    lambda_throttles: int  # throttled invocations of one function per period
    table_throttles: int  # read + write throttle events of one table per period
    iterator_age_seconds: int = 300  # a stream consumer this far behind its stream
    period_seconds: int = 300


@dataclass(frozen=True, slots=True)
class StageSettings:
    """Everything that differs between stages."""

    name: str
    region: str
    api_rate_limit: float  # steady requests per second across the stage (API Gateway throttling)
    api_burst_limit: int
    waf: bool  # a WAF web ACL with a per-IP rate limit in front of the API
    waf_requests_per_ip: int  # per 5 minutes; schools sit behind one NAT address, so this is generous
    retain_data: bool  # keep tables, pool and keys when the stack is deleted, and protect them from deletion
    log_retention: RetentionDays
    xray: bool
    alarms: AlarmThresholds
    roster_retention_days: int  # uploaded roster files hold initial passwords: keep them briefly
    backup_retention_days: int  # AWS Backup daily copies of every table, beside point-in-time recovery
    insight_tables: frozenset[str] = frozenset()  # table suffixes with contributor insights (hot keys)
    api_function: FunctionSettings = FunctionSettings(1024, 29)
    tasks_function: FunctionSettings = FunctionSettings(1024, 300)
    default_function: FunctionSettings = FunctionSettings(512, 60)
    stream_source: StreamSourceSettings = field(default_factory=StreamSourceSettings)
    execution_log_level: str = "ERROR"  # API Gateway execution logs: OFF, ERROR or INFO (never bodies)
    mail_from: str = "noreply@ejournal.kz"  # its domain becomes the stage's SES identity
    push_application_arn: str = ""  # SNS platform application (FCM), made by hand with its credentials; "" = none
    notice_window_seconds: int = 600  # a guardian's notices of one pupil within this window leave as one message

    @property
    def table_prefix(self) -> str:
        """Tables are named `<prefix>-<suffix>`, as chalicelib.config forms them from TABLE_PREFIX."""
        return f"ejournal-{self.name}"

    def function(self, logical_id: str) -> FunctionSettings:
        """Settings of a Chalice function by its logical id (`APIHandler`, `Tasks`, ...)."""
        return {"APIHandler": self.api_function, "Tasks": self.tasks_function}.get(logical_id,
                                                                                   self.default_function)


STAGES: Mapping[str, StageSettings] = MappingProxyType({
    "dev": StageSettings(
        name="dev", mail_from="noreply@dev.ejournal.kz", region="eu-central-1", api_rate_limit=50, api_burst_limit=100,
        waf=False, waf_requests_per_ip=2_000, retain_data=False, log_retention=RetentionDays.TWO_WEEKS, xray=True,
        alarms=AlarmThresholds(api_5xx_rate=0.05, lambda_errors=5, lambda_throttles=5, table_throttles=50),
        roster_retention_days=3, backup_retention_days=7,
    ),
    "prod": StageSettings(
        name="prod", region="eu-central-1", api_rate_limit=2_000, api_burst_limit=4_000,
        waf=True, waf_requests_per_ip=20_000, retain_data=True, log_retention=RetentionDays.THREE_MONTHS, xray=True,
        alarms=AlarmThresholds(api_5xx_rate=0.01, lambda_errors=1, lambda_throttles=1, table_throttles=1),
        roster_retention_days=7, backup_retention_days=35,
        insight_tables=frozenset({"journal", "directory"}),
    ),
})


def stage_settings(name: str) -> StageSettings:
    """The settings of stage `name`."""
    try:
        return STAGES[name]
    except KeyError:
        raise UnknownStage(f"unknown stage {name!r}: choose one of {', '.join(STAGES)}") from None
