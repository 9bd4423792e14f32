"""Stream consumers: the settings Chalice cannot make, on every DynamoDB event source."""
from __future__ import annotations

import pytest
from aws_cdk import App, CfnResource, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from infra.queues import failure_queue
from infra.stages import StreamSourceSettings, stage_settings
from infra.streams import UnknownStream, connect_stream_consumer, stream_table_suffix


def _stream_events(stage) -> list[tuple[str, dict]]:
    return [(name, event["Properties"]) for name, function in stage.functions().items()
            for event in function["Properties"].get("Events", {}).values() if event["Type"] == "DynamoDB"]


def test_the_journal_stream_has_a_consumer(stage):
    assert _stream_events(stage)


def test_every_stream_source_reports_partial_failures_and_gives_up_in_bounded_time(stage):
    source = stage_settings(stage.stage).stream_source
    tables = stage.resources("AWS::DynamoDB::Table")
    for name, props in _stream_events(stage):
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
        assert props["BisectBatchOnFunctionError"] is True
        assert 0 <= props["MaximumRetryAttempts"] == source.maximum_retry_attempts <= 10
        assert 60 <= props["MaximumRecordAgeInSeconds"] == source.maximum_record_age_seconds <= 24 * 3600
        table, attribute = props["Stream"]["Fn::GetAtt"]
        assert attribute == "StreamArn"
        assert "StreamSpecification" in tables[table]["Properties"]


def test_every_stream_source_parks_failures_in_an_encrypted_queue_kept_14_days(stage):
    queues = stage.resources("AWS::SQS::Queue")
    for name, props in _stream_events(stage):
        destination = props["DestinationConfig"]["OnFailure"]
        assert destination["Type"] == "SQS"
        queue = queues[destination["Destination"]["Fn::GetAtt"][0]]["Properties"]
        assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
        assert queue["SqsManagedSseEnabled"] is True


@pytest.mark.parametrize("arn, suffix", [
    ("arn:aws:dynamodb:eu-central-1:000000000000:table/journal/stream/local", "journal"),
    ("arn:aws:dynamodb:eu-central-1:123456789012:table/parked-records/stream/2026-11-01T00:00:00.000",
     "parked-records"),
])
def test_a_placeholder_stream_arn_names_the_table_suffix(arn, suffix):
    assert stream_table_suffix(arn) == suffix


@pytest.mark.parametrize("arn", ["journal", "arn:aws:sqs:eu-central-1:000000000000:journal", None])
def test_anything_else_is_not_a_stream(arn):
    with pytest.raises(UnknownStream):
        stream_table_suffix(arn)


def _consumer_stack(stream: dynamodb.StreamViewType | None):
    stack = Stack(App(), "Test")
    table = dynamodb.Table(stack, "T", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
                           stream=stream)
    function = CfnResource(stack, "Consumer", type="AWS::Serverless::Function", properties={
        "Handler": "app.consumer", "Runtime": "python3.13", "CodeUri": "s3://bucket/key",
        "Events": {"ConsumerEvent": {"Type": "DynamoDB", "Properties": {
            "Stream": "arn:aws:dynamodb:eu-central-1:000000000000:table/t/stream/local",
            "StartingPosition": "TRIM_HORIZON", "BatchSize": 100}}}})
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    return stack, table, function, role


def test_connecting_a_consumer_sets_what_chalice_cannot_and_keeps_the_handler_batch_size():
    stack, table, function, role = _consumer_stack(dynamodb.StreamViewType.NEW_AND_OLD_IMAGES)
    source = StreamSourceSettings(maximum_retry_attempts=2, maximum_record_age_seconds=600)
    connect_stream_consumer(function, "ConsumerEvent", table=table, role=role,
                            failures=failure_queue(stack, "Failures"), source=source)
    template = Template.from_stack(stack)
    props = template.to_json()["Resources"]["Consumer"]["Properties"]["Events"]["ConsumerEvent"]["Properties"]
    assert props["BatchSize"] == 100 and props["StartingPosition"] == "TRIM_HORIZON"
    assert props["MaximumRetryAttempts"] == 2 and props["MaximumRecordAgeInSeconds"] == 600
    assert props["Stream"]["Fn::GetAtt"][1] == "StreamArn"
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert props["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    statements = [s for p in template.find_resources("AWS::IAM::Policy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    actions = {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "sqs:SendMessage"} <= actions


def test_a_consumer_of_a_table_without_a_stream_is_refused():
    stack, table, function, role = _consumer_stack(None)
    with pytest.raises(UnknownStream):
        connect_stream_consumer(function, "ConsumerEvent", table=table, role=role,
                                failures=failure_queue(stack, "Failures"), source=StreamSourceSettings())
