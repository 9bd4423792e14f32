"""Where the data lives: DynamoDB tables built from the store's own definitions, their key, backups, the files bucket.

Tables come from `chalicelib.store.base.all_models()` and `table_definition(model)` (keys, indexes, stream, TTL),
the same definitions the code, the tests and the local runner use, so a new table module needs no change here.
Every table is on-demand, has point-in-time recovery and a daily AWS Backup copy, and is encrypted with the
stack's customer-managed KMS key (`DataKey`, rotated yearly): the tables hold pupils' marks and attendance, and a
key of our own lets the operators audit every use in CloudTrail and revoke access to all copies at once.
The files bucket uses SSE-S3 because the code asks for AES256 on every write (chalicelib/store/files.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from chalicelib.store.base import all_models, table_definition
from infra.stages import StageSettings

__all__ = ["DataTables", "FilesBucket", "TableDefinitionError", "table_definitions"]

_KEY_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER,
              "B": dynamodb.AttributeType.BINARY}
_PROJECTIONS = {"ALL": dynamodb.ProjectionType.ALL, "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
                "INCLUDE": dynamodb.ProjectionType.INCLUDE}


class TableDefinitionError(ValueError):
    """A store definition that infra/ cannot turn into a table."""


def table_definitions() -> list[dict[str, Any]]:
    """The definition of every table of the store, in a stable order (by suffix)."""
    return [table_definition(model) for _, model in sorted(all_models().items())]


class DataTables(Construct):
    """Every table of the store, the key that encrypts them and their backup plan."""

    def __init__(self, scope: Construct, construct_id: str, stage: StageSettings,
                 definitions: list[dict[str, Any]]) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if stage.retain_data else RemovalPolicy.DESTROY
        self.key = kms.Key(self, "DataKey", enable_key_rotation=True, removal_policy=removal,
                           alias=f"alias/{stage.table_prefix}-data",
                           description=f"ejournal {stage.name}: tables, backups, log groups, alarm topic")
        self.key.add_to_resource_policy(iam.PolicyStatement(  # CloudWatch Logs encrypts this account's groups
            principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"], conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                                     f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"}}))
        self.definitions: Mapping[str, dict[str, Any]] = {d["suffix"]: d for d in definitions}
        self.tables: dict[str, dynamodb.Table] = {
            suffix: self._table(stage, definition, removal) for suffix, definition in self.definitions.items()}
        vault = backup.BackupVault(self, "Vault", encryption_key=self.key, removal_policy=RemovalPolicy.RETAIN)
        plan = backup.BackupPlan(self, "Backups", backup_vault=vault, backup_plan_rules=[backup.BackupPlanRule(
            rule_name="Daily", delete_after=Duration.days(stage.backup_retention_days),
            schedule_expression=events.Schedule.cron(hour="21", minute="0"))])  # 02:00 at UTC+5, after the day
        plan.add_selection("Tables", resources=[backup.BackupResource.from_dynamo_db_table(t)
                                                for t in self.tables.values()])

    def streamed(self) -> dict[str, dynamodb.Table]:
        """Tables with a stream, by suffix."""
        return {s: t for s, t in self.tables.items() if self.definitions[s]["stream_view_type"]}

    def index_names(self, suffix: str) -> list[str]:
        """The global secondary indexes of table `suffix`."""
        return [index["index_name"] for index in self.definitions[suffix]["global_secondary_indexes"]]

    def _table(self, stage: StageSettings, definition: dict[str, Any], removal: RemovalPolicy) -> dynamodb.Table:
        types = {a["AttributeName"]: a["AttributeType"] for a in definition["attribute_definitions"]}
        hash_key, range_key = _keys(definition["key_schema"], types)
        stream = definition["stream_view_type"]
        table = dynamodb.Table(
            self, _construct_id(definition["suffix"]),
            table_name=f"{stage.table_prefix}-{definition['suffix']}",
            partition_key=hash_key, sort_key=range_key,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED, encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            deletion_protection=stage.retain_data, removal_policy=removal,
            time_to_live_attribute=definition["ttl_attribute"],
            stream=dynamodb.StreamViewType[stream] if stream else None,
            contributor_insights_specification=dynamodb.ContributorInsightsSpecification(enabled=True)
            if definition["suffix"] in stage.insight_tables else None,
        )
        for index in definition["global_secondary_indexes"]:
            projection = index["projection"]
            index_hash, index_range = _keys(index["key_schema"], types)
            table.add_global_secondary_index(
                index_name=index["index_name"], partition_key=index_hash, sort_key=index_range,
                projection_type=_PROJECTIONS[projection["ProjectionType"]],
                non_key_attributes=projection.get("NonKeyAttributes"))
        return table


class FilesBucket(Construct):
    """Uploaded rosters (kept for `roster_retention_days`: they carry initial passwords) and, later, reports."""

    def __init__(self, scope: Construct, construct_id: str, stage: StageSettings) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self, "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.RETAIN if stage.retain_data else RemovalPolicy.DESTROY,
            lifecycle_rules=[
                s3.LifecycleRule(id="rosters", prefix="rosters/",
                                 expiration=Duration.days(stage.roster_retention_days)),
                s3.LifecycleRule(id="unfinished-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
        )


def _keys(schema: list[dict[str, str]], types: Mapping[str, str]) -> tuple[dynamodb.Attribute,
                                                                        dynamodb.Attribute | None]:
    by_role = {k["KeyType"]: k["AttributeName"] for k in schema}
    if "HASH" not in by_role:
        raise TableDefinitionError(f"key schema without a HASH key: {schema}")
    try:
        hash_key = dynamodb.Attribute(name=by_role["HASH"], type=_KEY_TYPES[types[by_role["HASH"]]])
        range_name = by_role.get("RANGE")
        range_key = dynamodb.Attribute(name=range_name, type=_KEY_TYPES[types[range_name]]) if range_name else None
    except KeyError as exc:
        raise TableDefinitionError(f"key attribute without a known type: {exc}") from None
    return hash_key, range_key


def _construct_id(suffix: str) -> str:
    """`directory` -> `DirectoryTable`, `parked-records` -> `ParkedRecordsTable` (stable logical ids)."""
    return "".join(part.capitalize() for part in suffix.replace("_", "-").split("-")) + "Table"
