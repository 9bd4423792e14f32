"""Typed settings, read from the environment once and lazily (never when a model is imported)."""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

__all__ = ["Settings", "settings", "reset_settings", "ConfigError"]


class ConfigError(RuntimeError):
    """A required setting is missing or malformed (a deployment mistake, not a client error)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service reads from its environment."""

    stage: str
    table_prefix: str
    region: str
    identity_provider: str  # "builtin" (local, tests) or "cognito" (AWS stages)
    token_issuer: str
    token_audience: str
    token_ttl_seconds: int
    signing_keys: str  # JSON keyring of the built-in provider (secret; local/test only)
    cognito_region: str
    cognito_user_pool_id: str
    cognito_client_ids: frozenset[str]
    kdf_cost: str  # "strong" or "cheap" (cheap only where the stage allows it)
    login_max_failures: int
    login_lockout_seconds: int
    files_bucket: str
    tasks_queue_url: str
    dead_letter_queue_url: str  # where stream consumers send records they gave up on ("" = keep them parked only)
    max_body_bytes: int
    mail_from: str  # the sender of notification e-mail (an SES-verified identity)
    push_application_arn: str  # the SNS platform application of push devices ("" = no push)
    notice_window_seconds: int  # how long notices for one pupil wait to coalesce into one message

    @property
    def local(self) -> bool:
        return self.stage in {"local", "test"}

    def table(self, suffix: str) -> str:
        return f"{self.table_prefix}-{suffix}"


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ConfigError(f"environment variable {name} is required")
    return value


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer") from exc


def _load() -> Settings:
    stage = _env("STAGE", "local")
    idp = _env("IDENTITY_PROVIDER", "builtin" if stage in {"local", "test"} else "cognito")
    if idp not in {"builtin", "cognito"}:
        raise ConfigError("IDENTITY_PROVIDER must be builtin or cognito")
    if idp == "builtin" and stage not in {"local", "test"}:
        raise ConfigError("IDENTITY_PROVIDER=builtin is allowed only in the local and test stages")
    kdf = _env("KDF_COST", "cheap" if stage in {"local", "test"} else "strong")
    if kdf == "cheap" and stage not in {"local", "test"}:
        raise ConfigError("KDF_COST=cheap is allowed only in the local and test stages")
    region = _env("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"))
    if idp == "cognito" and not (os.environ.get("COGNITO_USER_POOL_ID") and os.environ.get("COGNITO_CLIENT_IDS")):
        raise ConfigError("IDENTITY_PROVIDER=cognito needs COGNITO_USER_POOL_ID and COGNITO_CLIENT_IDS")
    return Settings(
        stage=stage,
        table_prefix=_env("TABLE_PREFIX", f"ejournal-{stage}"),
        region=region,
        identity_provider=idp,
        token_issuer=_env("TOKEN_ISSUER", f"https://ejournal.kz/{stage}"),
        token_audience=_env("TOKEN_AUDIENCE", "ejournal-api"),
        token_ttl_seconds=_int("TOKEN_TTL_SECONDS", 3600),
        signing_keys=os.environ.get("SIGNING_KEYS", ""),
        cognito_region=_env("COGNITO_REGION", region),
        cognito_user_pool_id=os.environ.get("COGNITO_USER_POOL_ID", ""),
        cognito_client_ids=frozenset(filter(None, os.environ.get("COGNITO_CLIENT_IDS", "").split(","))),
        kdf_cost=kdf,
        login_max_failures=_int("LOGIN_MAX_FAILURES", 5),
        login_lockout_seconds=_int("LOGIN_LOCKOUT_SECONDS", 900),
        files_bucket=_env("FILES_BUCKET", f"ejournal-{stage}-files"),
        tasks_queue_url=os.environ.get("TASKS_QUEUE_URL", ""),
        dead_letter_queue_url=os.environ.get("DEAD_LETTER_QUEUE_URL", ""),
        max_body_bytes=_int("MAX_BODY_BYTES", 1024 * 1024),
        mail_from=_env("MAIL_FROM", "noreply@ejournal.kz"),
        push_application_arn=os.environ.get("PUSH_APPLICATION_ARN", ""),
        notice_window_seconds=_int("NOTICE_WINDOW_SECONDS", 600),
    )


@functools.cache
def settings() -> Settings:
    """The settings of this process, read on first use."""
    return _load()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local runner change the environment)."""
    settings.cache_clear()
