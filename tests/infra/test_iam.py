"""Least privilege: a role per function, nothing on `*` but what AWS offers no resource for, no DLQ reading."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from infra.access import ACCESS
from infra.service import PLACEHOLDER_ROLE

# Actions AWS grants only on "*" (no resource-level permissions); none of them reads or writes data.
# sns:Publish: an SMS goes to a phone number, which has no ARN.
_STAR_ONLY = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams", "sns:Publish"}
_QUEUE_READS = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:*"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _role_of(stage, function_id: str) -> str:
    return stage.functions()[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]


def _statements(stage, role_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Every statement of the policies attached to `role_id` (or to any role)."""
    for policy in stage.resources("AWS::IAM::Policy").values():
        roles = {r["Ref"] for r in policy["Properties"]["Roles"]}
        if role_id is None or role_id in roles:
            yield from policy["Properties"]["PolicyDocument"]["Statement"]


def _grants(stage, role_id: str, action: str) -> list[Any]:
    """The resources on which `role_id` is allowed `action`."""
    return [resource for s in _statements(stage, role_id) if action in _as_list(s["Action"])
            for resource in _as_list(s["Resource"])]


def _refers_to(resource: Any, logical_id: str) -> bool:
    return logical_id in repr(resource)


def _dead_letter_queues(stage) -> list[str]:
    """Queues nobody consumes: kept 14 days, with no redrive of their own (tasks DLQ, stream failures)."""
    queues = stage.resources("AWS::SQS::Queue")
    return [q for q, props in queues.items() if "RedrivePolicy" not in props["Properties"]
            and props["Properties"].get("MessageRetentionPeriod") == 14 * 24 * 3600]


def _reads_a_queue_of(statement: dict[str, Any], queues: list[str]) -> bool:
    return bool(_QUEUE_READS & set(_as_list(statement["Action"]))) and any(
        _refers_to(r, q) for r in _as_list(statement["Resource"]) for q in queues)


def test_every_function_has_a_role_of_its_own(stage):
    roles = [_role_of(stage, f) for f in stage.functions()]
    assert len(set(roles)) == len(roles) == len(stage.functions())
    for role in roles:
        assert role in stage.resources("AWS::IAM::Role")
    assert PLACEHOLDER_ROLE not in repr(stage.json)


def test_every_function_has_declared_access(stage):
    assert set(stage.functions()) <= set(ACCESS)


def test_no_statement_grants_data_actions_on_any_resource(stage):
    for statement in _statements(stage):
        actions = set(_as_list(statement["Action"]))
        assert not any(a.endswith("*") and a.startswith(("dynamodb:", "s3:", "sqs:")) for a in actions), statement
        if "*" in _as_list(statement["Resource"]):
            assert actions <= _STAR_ONLY, statement


def test_table_grants_name_tables_and_their_indexes(stage):
    tables = set(stage.resources("AWS::DynamoDB::Table"))
    for statement in _statements(stage):
        if any(a in {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"} for a in _as_list(statement["Action"])):
            for resource in _as_list(statement["Resource"]):
                assert any(_refers_to(resource, t) for t in tables), resource


def test_no_function_may_scan(stage):
    for statement in _statements(stage):
        assert "dynamodb:Scan" not in _as_list(statement["Action"])


def test_the_api_function_cannot_read_a_dead_letter_or_failure_queue(stage):
    dead = _dead_letter_queues(stage)
    assert dead
    assert not any(_reads_a_queue_of(s, dead) for s in _statements(stage, _role_of(stage, "APIHandler")))


def test_no_role_reads_a_dead_letter_queue(stage):
    dead = _dead_letter_queues(stage)
    assert not any(_reads_a_queue_of(s, dead) for s in _statements(stage))


def test_the_api_sends_tasks_and_the_tasks_function_consumes_them(stage):
    queue = next(q for q, p in stage.resources("AWS::SQS::Queue").items() if "RedrivePolicy" in p["Properties"])
    assert any(_refers_to(r, queue) for r in _grants(stage, _role_of(stage, "APIHandler"), "sqs:SendMessage"))
    assert not _grants(stage, _role_of(stage, "APIHandler"), "sqs:ReceiveMessage")
    assert any(_refers_to(r, queue) for r in _grants(stage, _role_of(stage, "Tasks"), "sqs:ReceiveMessage"))


def _table(stage, suffix: str) -> str:
    tables = stage.resources("AWS::DynamoDB::Table")
    return next(t for t, p in tables.items() if p["Properties"]["TableName"] == f"ejournal-{stage.stage}-{suffix}")


def _tables_granted(stage, function_id: str, action: str) -> set[str]:
    """The tables (by suffix) on which a function is allowed `action`."""
    resources = _grants(stage, _role_of(stage, function_id), action)
    return {p["Properties"]["TableName"].removeprefix(f"ejournal-{stage.stage}-")
            for t, p in stage.resources("AWS::DynamoDB::Table").items() if any(_refers_to(r, t) for r in resources)}


def test_the_audit_consumer_writes_the_audit_trail_and_reads_no_journal_data(stage):
    role = _role_of(stage, "JournalAudit")
    assert _tables_granted(stage, "JournalAudit", "dynamodb:PutItem") == {"audit", "parked"}
    assert _tables_granted(stage, "JournalAudit", "dynamodb:GetItem") == {"parked"}
    assert _grants(stage, role, "dynamodb:GetRecords")
    assert all(_refers_to(r, _table(stage, "journal")) for r in _grants(stage, role, "dynamodb:GetRecords"))


def test_the_counters_consumer_writes_counters_inbox_and_parked_records_and_only_reads_the_rest(stage):
    assert _tables_granted(stage, "JournalCounters", "dynamodb:UpdateItem") == {"counters", "parked",
                                                                               "notifications"}
    assert _tables_granted(stage, "JournalCounters", "dynamodb:Query") == {"counters", "parked", "notifications",
                                                                          "directory", "journal"}


def test_the_nightly_reconciliation_only_queues_a_task_per_school_and_the_tasks_repair_the_counters(stage):
    assert _tables_granted(stage, "CountersReconciliation", "dynamodb:PutItem") == set()
    assert _tables_granted(stage, "CountersReconciliation", "dynamodb:Query") == {"directory"}
    assert _grants(stage, _role_of(stage, "CountersReconciliation"), "sqs:SendMessage")
    assert {"counters", "journal"} <= _tables_granted(stage, "Tasks", "dynamodb:Query")
    assert "counters" in _tables_granted(stage, "Tasks", "dynamodb:PutItem")
    assert "journal" not in _tables_granted(stage, "Tasks", "dynamodb:PutItem")


def test_only_the_parking_consumers_may_send_to_the_record_dead_letter_queue_and_only_send(stage):
    parkers = {f for f, a in ACCESS.items() if a.park_records}
    assert parkers == {"JournalAudit", "JournalCounters"}
    for function, props in stage.functions().items():
        url = props["Properties"]["Environment"]["Variables"].get("DEAD_LETTER_QUEUE_URL")
        if function not in parkers:
            assert url is None, function
            continue
        (queue,) = [q for q in _dead_letter_queues(stage) if _refers_to(url, q)]
        sends = [s for s in _statements(stage, _role_of(stage, function))
                 if any(_refers_to(r, queue) for r in _as_list(s["Resource"]))]
        assert [_as_list(s["Action"]) for s in sends] == [["sqs:SendMessage"]], function


def _s3_grants(stage, function_id: str, action: str) -> set[str]:
    """The key prefixes (`rosters/`, ...) on which a function is allowed an S3 object action."""
    resources = _grants(stage, _role_of(stage, function_id), action)
    joined = [repr(r) for r in resources]
    return {prefix for prefix in ("rosters/", "reports/") if any(f"/{prefix}*" in j for j in joined)}


def test_files_are_reached_only_under_their_prefix(stage):
    for statement in _statements(stage):
        if {"s3:GetObject", "s3:PutObject"} & set(_as_list(statement["Action"])):
            assert all("/rosters/*" in repr(r) or "/reports/*" in repr(r)
                       for r in _as_list(statement["Resource"])), statement


def test_rosters_are_uploaded_by_the_api_and_read_by_the_tasks_and_reports_written_by_report_jobs(stage):
    writes = {f: _s3_grants(stage, f, "s3:PutObject") for f in stage.functions()}
    reads = {f: _s3_grants(stage, f, "s3:GetObject") for f in stage.functions()}
    assert {f for f, p in writes.items() if "rosters/" in p} == {"APIHandler"}
    assert {f for f, p in writes.items() if "reports/" in p} == {"Tasks", "ReportRegions"}
    assert {f for f, p in reads.items() if "rosters/" in p} == {"APIHandler", "Tasks"}
    assert {f for f, p in reads.items() if "reports/" in p} == {"APIHandler"}  # its presigned links


def test_only_functions_that_send_mail_may_call_ses_and_only_as_the_stage_sender(stage):
    (identity,) = stage.resources("AWS::SES::EmailIdentity")
    senders = {f for f, a in ACCESS.items() if a.send_email}
    assert senders == {"NotificationFlush", "Tasks"}  # the flush; the report jobs' notes (chalicelib/jobs/reports)
    for function in stage.functions():
        resources = [r for s in _statements(stage, _role_of(stage, function))
                     if any(a.startswith("ses:") for a in _as_list(s["Action"])) for r in _as_list(s["Resource"])]
        if function in senders:
            assert resources and any(_refers_to(r, identity) for r in resources)
            assert "*" not in resources
        else:
            assert not resources, function


def test_the_sender_domain_is_the_stage_mail_domain(stage):
    (identity,) = stage.resources("AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == {"dev": "dev.ejournal.kz", "prod": "ejournal.kz"}[stage.stage]
