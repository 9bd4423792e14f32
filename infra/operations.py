"""Operations: CloudWatch alarms (each explained in infra/RUNBOOK.md), the alarm topic and one dashboard.

Alarm names are `ejournal-<stage>-<kind>[-<what>]`; `<kind>` is the RUNBOOK.md section to read. Every alarm
notifies the `Alarms` SNS topic (encrypted with the data key) when it fires and when it clears; operators
subscribe to it (RUNBOOK.md, "Getting alarms").
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.gateway import API_STAGE
from infra.stages import StageSettings

__all__ = ["ALARM_KINDS", "Operations"]

ALARM_KINDS = ("dead-letters", "api-5xx", "lambda-errors", "lambda-throttles", "table-throttles",
               "stream-iterator-age")
_RUNBOOK = "infra/RUNBOOK.md#"
_MIN_REQUESTS_FOR_RATE = 20  # below this many requests in a period, a 5xx rate says nothing


class Operations(Construct):
    """Alarms on everything that needs a person, and a dashboard of the stage."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: StageSettings, api_name: str,
                 functions: Mapping[str, str], tables: Mapping[str, dynamodb.ITable],
                 dead_letters: Mapping[str, sqs.IQueue], stream_consumers: Sequence[str], key: kms.IKey) -> None:
        """`functions` maps a function's logical id to its name; `stream_consumers` are logical ids."""
        super().__init__(scope, construct_id)
        self._stage = stage
        self._period = Duration.seconds(stage.alarms.period_seconds)
        self.topic = sns.Topic(self, "Alarms", master_key=key, display_name=f"ejournal {stage.name} alarms",
                               enforce_ssl=True)
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.alarms: list[cw.Alarm] = []
        thresholds = stage.alarms

        for name, queue in dead_letters.items():
            self._alarm("dead-letters", name, queue.metric_approximate_number_of_messages_visible(
                statistic="Maximum", period=Duration.minutes(1)), threshold=0, above=True,
                what=f"messages wait in the dead-letter queue {name}")

        requests = _api_metric(api_name, "Count", self._period)
        server_errors = _api_metric(api_name, "5XXError", self._period)
        api_5xx = cw.MathExpression(
            expression=f"IF(requests >= {_MIN_REQUESTS_FOR_RATE}, errors / requests, 0)",
            using_metrics={"requests": requests, "errors": server_errors}, period=self._period,
            label="5xx share")
        self._alarm("api-5xx", None, api_5xx, threshold=thresholds.api_5xx_rate, above=True, periods=2,
                    what=f"more than {thresholds.api_5xx_rate:.0%} of API requests answered 5xx")

        for logical_id, function_name in functions.items():
            self._alarm("lambda-errors", logical_id, _lambda_metric(function_name, "Errors", self._period),
                        threshold=thresholds.lambda_errors, what=f"{logical_id} invocations failed")
            self._alarm("lambda-throttles", logical_id, _lambda_metric(function_name, "Throttles", self._period),
                        threshold=thresholds.lambda_throttles, what=f"{logical_id} invocations were throttled")
        for logical_id in stream_consumers:
            age = _lambda_metric(functions[logical_id], "IteratorAge", self._period, statistic="Maximum")
            self._alarm("stream-iterator-age", logical_id, age, threshold=thresholds.iterator_age_seconds * 1000,
                        above=True, what=f"{logical_id} is more than {thresholds.iterator_age_seconds} s behind "
                                         "its stream")
        for suffix, table in tables.items():
            throttles = cw.MathExpression(
                expression="FILL(reads, 0) + FILL(writes, 0)", period=self._period, label="throttle events",
                using_metrics={"reads": _table_metric(table, "ReadThrottleEvents", self._period),
                               "writes": _table_metric(table, "WriteThrottleEvents", self._period)})
            self._alarm("table-throttles", suffix, throttles, threshold=thresholds.table_throttles,
                        what=f"requests to the {suffix} table were throttled")

        self.dashboard = self._dashboard(api_name, functions, tables, dead_letters, stream_consumers)

    def _alarm(self, kind: str, subject: str | None, metric: cw.IMetric, *, threshold: float, what: str,
               above: bool = False, periods: int = 1) -> cw.Alarm:
        name = "-".join(filter(None, ("ejournal", self._stage.name, kind, subject)))
        alarm = cw.Alarm(
            self, name.removeprefix(f"ejournal-{self._stage.name}-"), metric=metric, alarm_name=name,
            threshold=threshold, evaluation_periods=periods, datapoints_to_alarm=periods,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD if above
            else cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{what}. Runbook: {_RUNBOOK}{kind}")
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        alarm.add_ok_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm

    def _dashboard(self, api_name: str, functions: Mapping[str, str], tables: Mapping[str, dynamodb.ITable],
                   dead_letters: Mapping[str, sqs.IQueue], stream_consumers: Sequence[str]) -> cw.Dashboard:
        minute = Duration.minutes(1)
        dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"ejournal-{self._stage.name}",
                                 default_interval=Duration.hours(3))
        dashboard.add_widgets(
            cw.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24, height=4))
        dashboard.add_widgets(
            cw.GraphWidget(title="API requests and errors", width=12,
                           left=[_api_metric(api_name, m, minute) for m in ("Count", "4XXError", "5XXError")]),
            cw.GraphWidget(title="API latency (ms)", width=12,
                           left=[_api_metric(api_name, m, minute, statistic=p, label=f"{m} {p}")
                                 for m, p in (("Latency", "p50"), ("Latency", "p90"), ("Latency", "p99"),
                                              ("IntegrationLatency", "p90"))]))
        dashboard.add_widgets(
            cw.GraphWidget(title="Lambda errors and throttles", width=12,
                           left=[_lambda_metric(n, m, minute, label=f"{i} {m}")
                                 for i, n in functions.items() for m in ("Errors", "Throttles")]),
            cw.GraphWidget(title="Lambda duration p90 (ms) and concurrency", width=12,
                           left=[_lambda_metric(n, "Duration", minute, statistic="p90", label=i)
                                 for i, n in functions.items()],
                           right=[_lambda_metric(n, "ConcurrentExecutions", minute, statistic="Maximum", label=i)
                                  for i, n in functions.items()]))
        dashboard.add_widgets(
            cw.GraphWidget(title="DynamoDB consumed capacity", width=12,
                           left=[_table_metric(t, m, minute, label=f"{s} {m}") for s, t in tables.items()
                                 for m in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits")]),
            cw.GraphWidget(title="DynamoDB throttle events", width=12,
                           left=[_table_metric(t, m, minute, label=f"{s} {m}") for s, t in tables.items()
                                 for m in ("ReadThrottleEvents", "WriteThrottleEvents")]))
        queues: list[cw.IWidget] = [cw.GraphWidget(
            title="Dead-letter and failure queues", width=12,
            left=[q.metric_approximate_number_of_messages_visible(statistic="Maximum", period=minute, label=n)
                  for n, q in dead_letters.items()])]
        if stream_consumers:
            queues.append(cw.GraphWidget(
                title="Stream iterator age (ms)", width=12,
                left=[_lambda_metric(functions[i], "IteratorAge", minute, statistic="Maximum", label=i)
                      for i in stream_consumers]))
        dashboard.add_widgets(*queues)
        return dashboard


def _api_metric(api_name: str, metric: str, period: Duration, *, statistic: str = "Sum",
                label: str | None = None) -> cw.Metric:
    return cw.Metric(namespace="AWS/ApiGateway", metric_name=metric, statistic=statistic, period=period,
                     label=label, dimensions_map={"ApiName": api_name, "Stage": API_STAGE})


def _lambda_metric(function_name: str, metric: str, period: Duration, *, statistic: str = "Sum",
                   label: str | None = None) -> cw.Metric:
    return cw.Metric(namespace="AWS/Lambda", metric_name=metric, statistic=statistic, period=period, label=label,
                     dimensions_map={"FunctionName": function_name})


def _table_metric(table: dynamodb.ITable, metric: str, period: Duration, *, label: str | None = None) -> cw.Metric:
    return cw.Metric(namespace="AWS/DynamoDB", metric_name=metric, statistic="Sum", period=period, label=label,
                     dimensions_map={"TableName": table.table_name})
