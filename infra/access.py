"""What each Lambda function may touch: one entry per Chalice function, granted to that function's own role.

Tables are named by suffix and granted on their own ARN and their named indexes only (no `*`, no Scan: no
request path scans). A function without an entry cannot be deployed (`UndeclaredFunction`): whoever adds a
handler to app.py declares here what it reads and writes. A stream consumer gets its stream and failure queue
from `infra.streams.connect_stream_consumer`, on top of its entry; one that parks records (`park_records`, the
consumers of `chalicelib.streams.batch`) may also send to the stage's dead-letter queue, and only send: its
messages are read by the operator's redrive command, never by a function.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from infra.data import DataTables
from infra.notifications import MailSender, push_endpoints_arn
from infra.queues import TaskQueue

__all__ = ["ACCESS", "FunctionAccess", "TableUse", "UndeclaredFunction", "access_of", "grant_access",
           "CREATE_LOGIN_ACTIONS", "MANAGE_LOGIN_ACTIONS", "READ_ACTIONS", "WRITE_ACTIONS"]

READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem")
WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
# Cognito user pool actions: making logins (roster import, operator command), and managing them (the accounts API).
CREATE_LOGIN_ACTIONS = ("cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser")
MANAGE_LOGIN_ACTIONS = CREATE_LOGIN_ACTIONS + (
    "cognito-idp:AdminDisableUser", "cognito-idp:AdminEnableUser", "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminUserGlobalSignOut")


class UndeclaredFunction(LookupError):
    """A function of the app has no entry in ACCESS."""


class TableUse(Enum):
    """How a function uses a table: the actions granted on it and its indexes."""

    READ = READ_ACTIONS
    WRITE = WRITE_ACTIONS
    READ_WRITE = READ_ACTIONS + WRITE_ACTIONS


@dataclass(frozen=True, slots=True)
class FunctionAccess:
    """The data one function uses. File access is by key prefix in the files bucket."""

    tables: Mapping[str, TableUse]
    read_files: tuple[str, ...] = ()
    write_files: tuple[str, ...] = ()
    enqueue_tasks: bool = False
    consume_tasks: bool = False
    send_email: bool = False
    send_sms: bool = False
    send_push: bool = False
    register_devices: bool = False  # turn device tokens into push endpoints
    create_logins: bool = False  # create (or replace) users of the stage's Cognito user pool
    manage_logins: bool = False  # ... and disable, enable, reset and sign them out
    park_records: bool = False  # send records given up on to the dead-letter queue (DEAD_LETTER_QUEUE_URL)


ACCESS: Mapping[str, FunctionAccess] = MappingProxyType({
    # The HTTP API: the directory and journal, Idempotency-Key records, the audit trail (history views), inbox
    # and notification choices, roster uploads kept for a queued import, and the task queue to hand it over.
    "APIHandler": FunctionAccess(
        tables={"directory": TableUse.READ_WRITE, "journal": TableUse.READ_WRITE,
                "idempotency": TableUse.READ_WRITE, "audit": TableUse.READ, "notifications": TableUse.READ_WRITE,
                "reports": TableUse.READ_WRITE},
        read_files=("rosters/", "reports/"), write_files=("rosters/",), enqueue_tasks=True, register_devices=True,
        manage_logins=True),
    # Queued tasks (roster imports; reports and each school's part of a scheduled report job; each school's
    # nightly reconciliation): the directory, the uploaded file and the logins the file creates; for reports the
    # counters and the journal's by_owner index (read), the reports table, report files, and notes to people
    # (inbox, e-mail, SMS); for the reconciliation the journal (read) and the counters it repairs; never the
    # dead-letter queue.
    "Tasks": FunctionAccess(tables={"directory": TableUse.READ_WRITE, "counters": TableUse.READ_WRITE,
                                    "journal": TableUse.READ, "reports": TableUse.READ_WRITE,
                                    "notifications": TableUse.READ_WRITE},
                            read_files=("rosters/",), write_files=("reports/",), consume_tasks=True,
                            create_logins=True, send_email=True, send_sms=True),
    # The journal stream's audit consumer (stream and failure queue via infra/streams.py): writes audit records;
    # parks the records it fails (parked table) and dead-letters those it gives up on.
    "JournalAudit": FunctionAccess(tables={"audit": TableUse.WRITE, "parked": TableUse.READ_WRITE},
                                   park_records=True),
    # The journal stream's counters, notifications and alerts consumers: the counters (ledgers, sheets, day
    # amounts), the directory (is the journal known; pupils, guardians, subjects, settings, excuses) and the
    # journal (works, a period's entries), the guardians' inbox, outbox and alert ledgers (channels only queue:
    # the flush sends); parks like the audit.
    "JournalCounters": FunctionAccess(
        tables={"counters": TableUse.READ_WRITE, "parked": TableUse.READ_WRITE, "directory": TableUse.READ,
                "journal": TableUse.READ, "notifications": TableUse.READ_WRITE},
        park_records=True),
    # The nightly reconciliation's fan-out: every region's schools (directory), one task per school queued (the
    # Tasks function recounts the school's journals into its counters).
    "CountersReconciliation": FunctionAccess(tables={"directory": TableUse.READ}, enqueue_tasks=True),
    # The scheduled flush of due e-mail, SMS and push: the outbox, and people's addresses in the directory.
    "NotificationFlush": FunctionAccess(
        tables={"notifications": TableUse.READ_WRITE, "directory": TableUse.READ},
        send_email=True, send_sms=True, send_push=True),
    # Scheduled report jobs that queue one task per school: the schools of every region.
    "ReportTimeliness": FunctionAccess(tables={"directory": TableUse.READ}, enqueue_tasks=True),
    "ReportParents": FunctionAccess(tables={"directory": TableUse.READ}, enqueue_tasks=True),
    "ReportSchools": FunctionAccess(tables={"directory": TableUse.READ}, enqueue_tasks=True),
    # Region and national reports, built in place from the schools' rollups: the regions' schools, the reports
    # table (rollups, the reports themselves) and the files written.
    "ReportRegions": FunctionAccess(tables={"directory": TableUse.READ, "reports": TableUse.READ_WRITE},
                                    write_files=("reports/",)),
})


def access_of(function_id: str) -> FunctionAccess:
    """The declared access of a Chalice function (by logical id)."""
    try:
        return ACCESS[function_id]
    except KeyError:
        raise UndeclaredFunction(f"function {function_id} has no entry in infra/access.py ACCESS") from None


def grant_access(role: iam.IRole, access: FunctionAccess, *, data: DataTables, files: s3.IBucket,
                 tasks: TaskQueue, dead_letters: sqs.IQueue, mail: MailSender, push_application_arn: str,
                 user_pool_arn: str) -> None:
    """Give `role` exactly what `access` declares (tables not in the store yet are skipped; push only where the
    stage has a platform application)."""
    for suffix, use in sorted(access.tables.items()):
        table = data.tables.get(suffix)
        if table is None:
            continue
        resources = [table.table_arn, *(f"{table.table_arn}/index/{name}" for name in data.index_names(suffix))]
        role.add_to_principal_policy(iam.PolicyStatement(actions=list(use.value), resources=resources))
        if use is TableUse.READ:
            data.key.grant_decrypt(role)
        else:
            data.key.grant_encrypt_decrypt(role)
    for action, prefixes in (("s3:GetObject", access.read_files), ("s3:PutObject", access.write_files)):
        if prefixes:
            role.add_to_principal_policy(iam.PolicyStatement(
                actions=[action], resources=[files.arn_for_objects(f"{prefix}*") for prefix in prefixes]))
    if access.enqueue_tasks:
        tasks.queue.grant_send_messages(role)
    if access.consume_tasks:
        tasks.queue.grant_consume_messages(role)
    if access.park_records:
        role.add_to_principal_policy(iam.PolicyStatement(actions=["sqs:SendMessage"],
                                                         resources=[dead_letters.queue_arn]))
    if access.send_email:
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["ses:SendEmail", "ses:SendRawEmail"],
            resources=[mail.identity.email_identity_arn, mail.configuration_set_arn]))
    if access.send_sms:  # SNS has no resource for a phone number: SMS publishing is granted on "*"
        role.add_to_principal_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=["*"]))
    if push_application_arn and access.send_push:
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["sns:Publish"], resources=[push_endpoints_arn(push_application_arn)]))
    if access.manage_logins or access.create_logins:
        actions = MANAGE_LOGIN_ACTIONS if access.manage_logins else CREATE_LOGIN_ACTIONS
        role.add_to_principal_policy(iam.PolicyStatement(actions=list(actions), resources=[user_pool_arn]))
    if push_application_arn and access.register_devices:
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["sns:CreatePlatformEndpoint"], resources=[push_application_arn]))

