"""Settings from the environment: DATABASE_URL and OVERSIGHT_* (read once, at bootstrap)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from infrastructure.personal_data_keys import decode_master_key
from infrastructure.secrets import decode_access_code_key
from infrastructure.signing import decode_signing_key


class Settings(BaseSettings):
    """Everything the service can be configured with; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="OVERSIGHT_", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "OVERSIGHT_DATABASE_URL")
    )
    read_database_url: str | None = None
    data_dir: Path = Path(".oversight")
    environment: Literal["development", "production"] = "development"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    api_threads: int = Field(default=40, ge=1, le=1000)
    db_pool_size: int = Field(default=8, ge=1, le=200)
    read_pool_size: int = Field(default=10, ge=1, le=200)
    db_connect_timeout: int = Field(default=10, ge=1, le=300)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    public_rate_limit: int = Field(default=60, ge=0)
    # Hex or base64, ≥ 32 bytes; unset: kept in <data_dir>/access-code.key, made on first start.
    access_code_key: SecretStr | None = None

    @field_validator("access_code_key")
    @classmethod
    def _access_code_key_decodes(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None:
            decode_access_code_key(key.get_secret_value())
        return key

    # Base64 of 32 bytes: wraps the per-case keys of complainants' personal data. Unset: kept
    # in <data_dir>/master.key, made on first start (production: from a secret store).
    master_key: SecretStr | None = None

    @field_validator("master_key")
    @classmethod
    def _master_key_decodes(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None:
            decode_master_key(key.get_secret_value())
        return key

    # Base64 of the 32-byte Ed25519 seed that signs ledger checkpoints. Unset: kept in
    # <data_dir>/signing.key, made on first use. Every process must have the same one.
    signing_key: SecretStr | None = None

    @field_validator("signing_key")
    @classmethod
    def _signing_key_decodes(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None:
            decode_signing_key(key.get_secret_value())
        return key
