"""Configuration, read from ``LAT_*`` environment variables (and a ``.env`` file).

Every field here is documented in ``docs/configuration.md``; a test fails otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All settings of the toolbox; the environment variable is ``LAT_`` + the field name."""

    model_config = SettingsConfigDict(env_prefix="LAT_", env_file=".env", extra="ignore")

    home: Path = Field(Path("lat-data"), description="Data directory: DuckDB store, marts, keys, logs.")
    min_cell_size: int = Field(5, ge=1, description="Cells with fewer respondents are suppressed.")
    min_schools: int = Field(3, ge=1, description="Hub, country and research aggregates of fewer schools (with figures) are suppressed.")
    stalled_days: int = Field(30, ge=1, description="Days without mentoring contact before a mentee school counts as stalled.")
    ingest_batch_size: int = Field(122_880, ge=1, description="Statements per ingest transaction.")
    ingest_workers: int = Field(0, ge=0, description="Builder threads parsing statements during a file ingest; 0 = one per core.")
    export_key: SecretStr | None = Field(None, description="Secret key for pseudonyms in research exports (HMAC).")
    pseudonym_key: SecretStr | None = Field(None, description="Secret key for survey respondent pseudonyms; defaults to a key generated into LAT_HOME.")
    session_secret: SecretStr | None = Field(None, description="Secret for dashboard session cookies; generated into LAT_HOME when unset.")
    session_hours: float = Field(8, gt=0, description="Lifetime of a dashboard login session, in hours.")
    login_max_failures: int = Field(5, ge=1, description="Failed logins (per user and per client address) that lock logins out.")
    login_lockout_minutes: int = Field(15, ge=1, description="Window in which failed logins are counted, and how long a lockout lasts.")
    cookie_secure: bool = Field(False, description="Always mark the session cookie Secure (it is anyway when the request came over https).")
    oidc_issuer: str | None = Field(None, description="OpenID Connect issuer URL; enables 'Sign in with your identity provider'.")
    oidc_client_id: str | None = Field(None, description="OpenID Connect client id registered at the issuer.")
    oidc_client_secret: SecretStr | None = Field(None, description="OpenID Connect client secret.")
    oidc_role_claim: str = Field("lat_role", description="ID-token claim that holds the user's LAT role (or a value mapped by oidc_role_map).")
    oidc_role_map: dict[str, str] = Field(default_factory=dict, description="JSON object mapping identity-provider role values to LAT roles.")
    oidc_scope_claim: str = Field("lat_scope", description="ID-token claim listing the user's scope as 'hub:ID', 'school:ID' or 'person:ID' strings.")
    lrs_host: str = Field("127.0.0.1", description="Host the xAPI Statement API listens on.")
    lrs_port: int = Field(8100, description="Port the xAPI Statement API listens on.")
    lrs_default_version: Literal["1.0.3", "2.0.0"] = Field(
        "2.0.0", description="xAPI version the LRS names in its answer to a request without X-Experience-API-Version (which it rejects)."
    )
    lrs_max_depth: int = Field(
        64,
        ge=2,
        le=200,
        description="Deepest JSON nesting the LRS accepts in a request body (the outermost object or array is level 1); deeper bodies get 400.",
    )
    lrs_max_body_mb: int = Field(64, ge=1, description="Largest request body the LRS accepts, in MiB; larger ones get 413 before they are read.")
    dashboard_host: str = Field("127.0.0.1", description="Host the dashboard listens on.")
    dashboard_port: int = Field(8050, description="Port the dashboard listens on.")
    retention_months: int | None = Field(None, ge=1, description="Drop statements older than this many months; unset keeps everything.")
    language: str = Field("en", description="Default language of the dashboard.")
    public_url: str = Field("http://127.0.0.1:8050", description="Address of the dashboard as users reach it; links in e-mail alerts start with it.")
    smtp_host: str | None = Field(None, description="SMTP server for e-mail alerts ('lat alerts'); unset: alerts can only be previewed with --dry-run.")
    smtp_port: int = Field(25, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_from: str = Field("lat@localhost", description="Sender address of e-mail alerts.")
    smtp_user: str | None = Field(None, description="User name for SMTP authentication (with smtp_password); unset: no authentication.")
    smtp_password: SecretStr | None = Field(None, description="Password for SMTP authentication.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS before authenticating and sending.")
    report_suggestions: Path | None = Field(
        None, description="TOML file of suggestions for a school's weakest areas in reports (per area and language); defaults to LAT's own."
    )
    credentials_base_url: str = Field(
        "https://hub.example.org/credentials",
        description="Public base URL under which the hub hosts its credential files (issuer, jwks.json, status list); ids in issued credentials start with it.",
    )
    credentials_key: Path | None = Field(
        None, description="PEM file of the hub's credential signing key; defaults to LAT_HOME/keys/credentials.pem ('lat credentials keygen')."
    )
    credentials_achievements: Path | None = Field(None, description="Default achievements file for 'lat credentials award' (TOML, see docs/credentials.md).")

    @property
    def db_path(self) -> Path:
        """The DuckDB store: LAT_HOME/lat.duckdb."""
        return self.home / "lat.duckdb"

    @property
    def marts_dir(self) -> Path:
        """The folder of published mart versions: LAT_HOME/marts."""
        return self.home / "marts"


def get_settings(**overrides: Any) -> Settings:
    """Fresh settings from the environment (cheap; not cached so tests can change env).
    ``overrides`` are field values of any of the fields' types (pydantic validates them)."""
    return Settings(**overrides)
