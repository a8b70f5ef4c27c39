"""Settings from the environment: DATABASE_URL and OVERSIGHT_* (read once, at bootstrap)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from psycopg.conninfo import conninfo_to_dict
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from infrastructure.eventstore import UnsafeConfiguration
from infrastructure.personal_data_keys import decode_master_key
from infrastructure.secrets import decode_access_code_key
from infrastructure.signing import decode_signing_key

# Passwords shipped by images, tutorials and installers; production needs its own.
DEFAULT_DATABASE_PASSWORDS = frozenset(
    {"postgres", "password", "admin", "root", "oversight", "secret", "changeme", "123456"}
)
# 32 random bytes show about 30 distinct values; a phrase or a pattern shows far fewer.
MIN_DISTINCT_KEY_BYTES = 16


class UnsafeProductionSettings(UnsafeConfiguration):
    """Production mode was asked for with secrets that are missing, default or guessable."""


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
    # With a read replica: a read asked to show a position (`?after=`) waits this long for the
    # replica, then answers 503 `replica_behind`; a replica that cannot be reached is tried
    # again this long after, the primary answering meanwhile.
    read_replica_wait_seconds: float = Field(default=3.0, gt=0, le=60)
    read_replica_retry_seconds: float = Field(default=5.0, gt=0, le=600)
    # The public status query reads over a pool of its own, so staff reads never queue behind
    # a public flood; 0 shares the read pool.
    public_read_pool_size: int = Field(default=4, ge=0, le=200)
    db_connect_timeout: int = Field(default=10, ge=1, le=300)
    # A write waits this long for the event table lock; the library tries 10 times, so a
    # command gives up (503) after about 10 × (this + 0.2) seconds.
    db_lock_timeout: int = Field(default=1, ge=1, le=60)
    # Any read statement is cancelled (503) after this many seconds.
    db_statement_timeout: float = Field(default=15.0, gt=0, le=600)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    public_rate_limit: int = Field(default=60, ge=0)
    # Public requests one API process answers at once; past it, 503 public_busy at once (the
    # bound every client shares, where the per-client limit cannot help); 0 switches it off.
    # Off by default: in a process that also serves the staff, quick refusals let a flood
    # come faster and take the staff's time (docs/benchmarks.md, "flood"); `serve
    # --public-port` turns it on in the public paths' own process.
    public_max_in_flight: int = Field(default=0, ge=0, le=10_000)
    # Public views kept by each API process between changes (LRU); 0 switches the cache off.
    public_view_cache_size: int = Field(default=10_000, ge=0, le=10_000_000)
    # The address the public reaches the service at, for the windows' printed QR codes
    # (`https://zwfw.example.gov.cn`); unset: the address the administrator's browser used.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    # Console sessions end after this long without a request, and after this long in all.
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=12, ge=1, le=24 * 30)
    # Hex or base64, ≥ 32 bytes; unset: kept in <data_dir>/access-code.key, made on first start.
    access_code_key: SecretStr | None = None
    # Notifications (§17): each channel is off while its settings are unset.
    sms_gateway_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    sms_gateway_key: SecretStr | None = None
    # smtp://[user[:password]@]host[:port][?starttls=true]
    smtp_url: str | None = Field(default=None, pattern=r"^smtps?://[^\s]+$")
    mail_from: str | None = Field(default=None, pattern=r"^[^\s@]+@[^\s@]+$")
    # Where extension requests and appeals are announced to the discipline inspectors.
    inspectors_email: str | None = Field(default=None, pattern=r"^[^\s@]+@[^\s@]+$")
    inspectors_webhook_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    # A message is dead after this many failed tries; the first retry waits this many
    # seconds, each next one twice as long.
    notify_max_attempts: int = Field(default=8, ge=1, le=50)
    notify_retry_seconds: float = Field(default=30.0, gt=0, le=86_400)
    # Evidence files (§17): larger uploads are refused with 413; unset directory: the bytes
    # are kept in PostgreSQL.
    max_attachment_bytes: int = Field(default=20_000_000, ge=1_000, le=2_000_000_000)
    attachments_dir: Path | None = None

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

    @property
    def sms_on(self) -> bool:
        """Citizens' SMS go out once the gateway is set."""
        return bool(self.sms_gateway_url)

    @property
    def email_on(self) -> bool:
        """Mail goes out once both the SMTP server and the sender's address are set."""
        return bool(self.smtp_url and self.mail_from)

    def production_problems(self) -> list[str]:
        """What makes these settings unfit for production; empty when there is nothing."""
        problems: list[str] = []
        keys = (
            ("OVERSIGHT_ACCESS_CODE_KEY", self.access_code_key, decode_access_code_key),
            ("OVERSIGHT_MASTER_KEY", self.master_key, decode_master_key),
            ("OVERSIGHT_SIGNING_KEY", self.signing_key, decode_signing_key),
        )
        for name, secret, decode in keys:
            if secret is None:
                problems.append(
                    f"{name} is not set: a key made in the data folder is lost with the "
                    "machine and differs between processes"
                )
            elif _guessable(decode(secret.get_secret_value())):
                problems.append(
                    f"{name} is a typed phrase or a pattern, not random bytes "
                    "(docs/operations.md shows how to make one)"
                )
        if not self.database_url:
            problems.append(
                "DATABASE_URL is not set: the embedded PostgreSQL is for trying the service out"
            )
        elif conninfo_to_dict(self.database_url).get("password") in DEFAULT_DATABASE_PASSWORDS:
            problems.append("DATABASE_URL uses a default password")
        return problems

    def refuse_unsafe_production(self) -> None:
        """In production mode, refuse to start on any of `production_problems`."""
        if self.environment != "production":
            return
        problems = self.production_problems()
        if problems:
            raise UnsafeProductionSettings(
                "refusing to start in production: " + "; ".join(problems)
            )


def _guessable(key: bytes) -> bool:
    typed = all(32 <= byte < 127 for byte in key)
    return typed or len(set(key)) < MIN_DISTINCT_KEY_BYTES
