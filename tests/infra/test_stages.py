"""Stage settings: one place, chosen by the `stage` context."""
from __future__ import annotations

import pytest

from infra.stages import STAGES, UnknownStage, stage_settings


def test_an_unknown_stage_is_refused_with_the_known_ones_named():
    with pytest.raises(UnknownStage, match="dev, prod"):
        stage_settings("staging")


def test_prod_keeps_its_data_and_has_a_firewall_and_dev_does_not():
    prod, dev = stage_settings("prod"), stage_settings("dev")
    assert prod.retain_data and prod.waf
    assert not dev.retain_data and not dev.waf


def test_every_stage_names_its_tables_after_itself():
    for name, stage in STAGES.items():
        assert stage.name == name
        assert stage.table_prefix == f"ejournal-{name}"


def test_functions_without_settings_of_their_own_get_the_default():
    stage = stage_settings("dev")
    assert stage.function("JournalAudit") == stage.default_function
    assert stage.function("APIHandler") == stage.api_function


def test_the_stage_stack_is_named_after_the_stage(stage):
    assert stage.json["Description"].startswith(f"ejournal-kz {stage.stage}:")
