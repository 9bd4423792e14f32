"""DynamoDB tables: built from the store's own definitions, protected as the stage says."""
from __future__ import annotations

from aws_cdk.assertions import Match

from infra.data import table_definitions
from infra.stages import stage_settings


def _tables(stage) -> dict[str, dict]:
    """Table properties by table name."""
    return {t["Properties"]["TableName"]: t for t in stage.resources("AWS::DynamoDB::Table").values()}


def _keys(schema: list[dict[str, str]]) -> dict[str, str]:
    """Key role -> attribute name (the order of a key schema's entries and of their fields carries nothing)."""
    return {key["KeyType"]: key["AttributeName"] for key in schema}


def test_every_store_table_is_deployed_under_the_name_the_code_forms(stage):
    names = {f"ejournal-{stage.stage}-{d['suffix']}" for d in table_definitions()}
    assert set(_tables(stage)) == names


def test_keys_and_indexes_are_those_of_the_store_definitions(stage):
    tables = _tables(stage)
    for definition in table_definitions():
        props = tables[f"ejournal-{stage.stage}-{definition['suffix']}"]["Properties"]
        assert _keys(props["KeySchema"]) == _keys(definition["key_schema"])
        deployed = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
        assert set(deployed) == {i["index_name"] for i in definition["global_secondary_indexes"]}
        for index in definition["global_secondary_indexes"]:
            assert _keys(deployed[index["index_name"]]["KeySchema"]) == _keys(index["key_schema"])
            assert deployed[index["index_name"]]["Projection"]["ProjectionType"] == \
                index["projection"]["ProjectionType"]


def test_tables_are_on_demand_with_recovery_and_customer_key_encryption(stage):
    key_ids = set(stage.resources("AWS::KMS::Key"))
    for table in _tables(stage).values():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["SSESpecification"]["SSEEnabled"] is True
        assert props["SSESpecification"]["SSEType"] == "KMS"
        assert props["SSESpecification"]["KMSMasterKeyId"]["Fn::GetAtt"][0] in key_ids


def test_the_data_key_rotates(stage):
    stage.template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_streams_and_ttl_follow_the_definitions(stage):
    tables = _tables(stage)
    for definition in table_definitions():
        props = tables[f"ejournal-{stage.stage}-{definition['suffix']}"]["Properties"]
        stream = props.get("StreamSpecification", {}).get("StreamViewType")
        assert stream == definition["stream_view_type"]
        ttl = props.get("TimeToLiveSpecification")
        if definition["ttl_attribute"]:
            assert ttl == {"AttributeName": definition["ttl_attribute"], "Enabled": True}
        else:
            assert ttl is None


def test_the_journal_table_streams_new_and_old_images(stage):
    journal = _tables(stage).get(f"ejournal-{stage.stage}-journal")
    assert journal is not None
    assert journal["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_prod_tables_are_protected_from_deletion_and_dev_tables_are_not(dev, prod):
    for table in _tables(prod).values():
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"
    for table in _tables(dev).values():
        assert table["Properties"].get("DeletionProtectionEnabled", False) is False
        assert table["DeletionPolicy"] == "Delete"


def test_contributor_insights_only_on_the_tables_the_stage_names(stage):
    wanted = stage_settings(stage.stage).insight_tables
    for name, table in _tables(stage).items():
        enabled = table["Properties"].get("ContributorInsightsSpecification", {}).get("Enabled", False)
        assert enabled == (name.removeprefix(f"ejournal-{stage.stage}-") in wanted), name


def test_prod_watches_the_hot_journal_table_for_hot_keys(prod):
    prod.template.has_resource_properties("AWS::DynamoDB::Table", {
        "TableName": "ejournal-prod-journal", "ContributorInsightsSpecification": {"Enabled": True}})


def test_every_table_is_in_the_daily_backup_plan(stage):
    days = stage_settings(stage.stage).backup_retention_days
    stage.template.has_resource_properties("AWS::Backup::BackupPlan", {"BackupPlan": {"BackupPlanRule": [
        Match.object_like({"Lifecycle": {"DeleteAfterDays": days}})]}})
    selection = next(iter(stage.resources("AWS::Backup::BackupSelection").values()))
    selected = {r["Fn::GetAtt"][0] for r in selection["Properties"]["BackupSelection"]["Resources"]}
    assert selected == set(stage.resources("AWS::DynamoDB::Table"))


def test_the_files_bucket_is_private_encrypted_and_forgets_rosters(stage):
    days = stage_settings(stage.stage).roster_retention_days
    stage.template.has_resource_properties("AWS::S3::Bucket", {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "LifecycleConfiguration": {"Rules": Match.array_with([Match.object_like(
            {"Prefix": "rosters/", "ExpirationInDays": days, "Status": "Enabled"})])},
    })
