"""Which identity provider a stage may use: the built-in one never outside the local and test stages."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.config import ConfigError, reset_settings, settings


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("IDENTITY_PROVIDER", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_IDS", "KDF_COST"):
        monkeypatch.delenv(name, raising=False)
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_aws_stages_refuse_the_built_in_identity_provider(stage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGE", stage)
    monkeypatch.setenv("IDENTITY_PROVIDER", "builtin")
    monkeypatch.setenv("SIGNING_KEYS", '{"active": "k1", "keys": {}}')
    with pytest.raises(ConfigError, match="builtin"):
        settings()


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_aws_stages_use_the_user_pool_and_need_its_ids(stage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGE", stage)
    with pytest.raises(ConfigError, match="COGNITO_USER_POOL_ID"):
        settings()
    monkeypatch.setenv("COGNITO_USER_POOL_ID", "eu-central-1_Journal")
    monkeypatch.setenv("COGNITO_CLIENT_IDS", "web,mobile")
    reset_settings()
    assert settings().identity_provider == "cognito"
    assert settings().cognito_client_ids == frozenset({"web", "mobile"})


@pytest.mark.parametrize("stage", ["local", "test"])
def test_local_and_test_stages_default_to_the_built_in_provider(stage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGE", stage)
    assert settings().identity_provider == "builtin"
