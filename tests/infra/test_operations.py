"""Alarms, their runbook, the dashboard and log retention."""
from __future__ import annotations

import re

from infra.operations import ALARM_KINDS
from infra.stack import REPO_ROOT
from infra.stages import stage_settings

_RUNBOOK = (REPO_ROOT / "infra" / "RUNBOOK.md").read_text(encoding="utf-8")


def _alarms(stage) -> dict[str, dict]:
    """Alarm properties by alarm name."""
    return {a["Properties"]["AlarmName"]: a["Properties"] for a in stage.resources("AWS::CloudWatch::Alarm").values()}


def _named(stage, kind: str) -> dict[str, dict]:
    prefix = f"ejournal-{stage.stage}-{kind}"
    return {n: a for n, a in _alarms(stage).items() if n == prefix or n.startswith(prefix + "-")}


def test_every_dead_letter_and_failure_queue_alarms_on_its_first_message(stage):
    alarms = _named(stage, "dead-letters")
    dead = [q for q, p in stage.resources("AWS::SQS::Queue").items() if "RedrivePolicy" not in p["Properties"]]
    watched = {a["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for a in alarms.values()}
    assert watched == set(dead)
    for alarm in alarms.values():
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_the_api_5xx_rate_alarm_uses_the_stage_threshold(stage):
    (alarm,) = _named(stage, "api-5xx").values()
    assert alarm["Threshold"] == stage_settings(stage.stage).alarms.api_5xx_rate
    expression = next(m["Expression"] for m in alarm["Metrics"] if "Expression" in m)
    assert "errors / requests" in expression


def test_every_function_alarms_on_errors_and_throttles(stage):
    for kind in ("lambda-errors", "lambda-throttles"):
        assert {n.rsplit("-", 1)[-1] for n in _named(stage, kind)} == set(stage.functions())


def test_every_stream_consumer_alarms_when_five_minutes_behind(stage):
    consumers = {n for n, f in stage.functions().items()
                 if any(e["Type"] == "DynamoDB" for e in f["Properties"].get("Events", {}).values())}
    alarms = _named(stage, "stream-iterator-age")
    assert {n.rsplit("-", 1)[-1] for n in alarms} == consumers
    for alarm in alarms.values():
        assert alarm["MetricName"] == "IteratorAge" and alarm["Threshold"] == 300_000


def test_every_table_alarms_on_throttling(stage):
    suffixes = {t["Properties"]["TableName"].removeprefix(f"ejournal-{stage.stage}-")
                for t in stage.resources("AWS::DynamoDB::Table").values()}
    assert {n.removeprefix(f"ejournal-{stage.stage}-table-throttles-") for n in _named(stage, "table-throttles")} \
        == suffixes


def test_every_alarm_notifies_the_topic_and_points_at_its_runbook_section(stage):
    (topic,) = stage.resources("AWS::SNS::Topic")
    sections = set(re.findall(r"^## (\S+)", _RUNBOOK, flags=re.MULTILINE))
    assert set(ALARM_KINDS) <= sections
    for name, alarm in _alarms(stage).items():
        assert alarm["AlarmActions"] == [{"Ref": topic}] and alarm["OKActions"] == [{"Ref": topic}]
        kind = re.search(r"RUNBOOK\.md#(\S+)$", alarm["AlarmDescription"])[1]
        assert kind in ALARM_KINDS and name.startswith(f"ejournal-{stage.stage}-{kind}")


def test_prod_alarms_sooner_than_dev(dev, prod):
    assert stage_settings("prod").alarms.api_5xx_rate < stage_settings("dev").alarms.api_5xx_rate
    prod_errors = {a["Threshold"] for a in _named(prod, "lambda-errors").values()}
    dev_errors = {a["Threshold"] for a in _named(dev, "lambda-errors").values()}
    assert max(prod_errors) < min(dev_errors)


def test_one_dashboard(stage):
    stage.template.resource_count_is("AWS::CloudWatch::Dashboard", 1)


def test_every_log_group_expires_as_the_stage_says(stage):
    days = {"dev": 14, "prod": 90}[stage.stage]
    groups = stage.resources("AWS::Logs::LogGroup")
    assert len(groups) == len(stage.functions()) + 1  # one per function and the API access log
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == days
        assert group["Properties"]["KmsKeyId"]["Fn::GetAtt"][0] in stage.resources("AWS::KMS::Key")
