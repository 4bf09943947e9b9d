"""Settings from the environment (VAA_*), built once per process."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
"""The project root: data files, migrations and frontend live beside the packages."""


class Settings(BaseSettings):
    """Every setting the application reads; each is documented in the README."""

    model_config = SettingsConfigDict(env_prefix="VAA_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'vaa.db'}",
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://... in production.",
    )
    demo_files: list[Path] = Field(
        default=[ROOT / "questionnaires" / "demo.yaml", ROOT / "parties" / "demo.yaml"],
        description="Files loaded by `vaa serve` into an empty database.",
    )
    default_language: str = Field(
        default="ka", description="UI language when the browser asks for none we have."
    )
    timezone: str = Field(
        default="Asia/Tbilisi",
        description="Time zone in which pages show dates and times (deadlines, meetings, audit).",
    )
    frame_ancestors: str = Field(
        default="'self'",
        description="CSP frame-ancestors: who may embed the pages, e.g. \"'self' https://ngo.ge\".",
    )
    public_url: str = Field(
        default="",
        description=(
            "The address participants open (join link, QR code), e.g. http://192.168.43.10:8000;"
            " when empty, `vaa serve --host 0.0.0.0` uses this machine's LAN address."
        ),
    )
    max_body_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        description="Largest request body in bytes; larger ones get 413 (counted as streamed).",
    )
    max_upload_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        description="Largest request body on the admin pages (/admin/..., spreadsheet uploads).",
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses or networks (10.0.0.0/8) of reverse proxies whose "
            "X-Forwarded-For and X-Forwarded-Proto are believed; empty: none."
        ),
    )
    allowed_hosts: str = Field(
        default="*",
        description=(
            "Comma-separated host names the app answers to (the Host header), e.g. "
            "'vaa.example.ge,*.vaa.example.ge'; other hosts get 400. '*': any (development)."
        ),
    )

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [item.strip() for item in self.trusted_proxies.split(",") if item.strip()]

    @property
    def allowed_host_list(self) -> list[str]:
        return [item.strip() for item in self.allowed_hosts.split(",") if item.strip()] or ["*"]

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://, e.g. http://192.168.43.10:8000")
        return value


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment once."""
    return Settings()
