"""vaa.settings: what VAA_* variables mean once read (the README documents each one)."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from vaa.settings import ROOT, Settings, get_settings


def test_the_defaults_serve_the_demo_in_georgian_from_a_local_sqlite_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("VAA_DATABASE_URL", "VAA_DEFAULT_LANGUAGE", "VAA_TIMEZONE", "VAA_DEMO_FILES"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url == f"sqlite:///{ROOT / 'vaa.db'}"
    assert settings.default_language == "ka"
    assert settings.timezone == "Asia/Tbilisi"
    assert settings.demo_files == [ROOT / "questionnaires/demo.yaml", ROOT / "parties/demo.yaml"]


def test_settings_are_read_from_vaa_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAA_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("VAA_MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("VAA_DEMO_FILES", '["a.yaml", "b.yaml"]')
    settings = Settings()
    assert settings.default_language == "en"
    assert settings.max_body_bytes == 4096
    assert settings.demo_files == [Path("a.yaml"), Path("b.yaml")]


def test_get_settings_reads_the_environment_once_per_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VAA_TIMEZONE", "Europe/Berlin")
    first = get_settings()
    monkeypatch.setenv("VAA_TIMEZONE", "UTC")
    assert get_settings() is first
    assert first.timezone == "Europe/Berlin"
    get_settings.cache_clear()
    assert get_settings().timezone == "UTC"


def test_lists_are_split_on_commas_and_trimmed() -> None:
    settings = Settings(trusted_proxies=" 10.0.0.0/8, 127.0.0.1 ,", allowed_hosts="")
    assert settings.trusted_proxy_list == ["10.0.0.0/8", "127.0.0.1"]
    assert settings.allowed_host_list == ["*"]  # empty means any host
    assert Settings(allowed_hosts="vaa.ge,*.vaa.ge").allowed_host_list == ["vaa.ge", "*.vaa.ge"]
    assert Settings().trusted_proxy_list == []


def test_body_limits_below_a_kilobyte_are_refused() -> None:
    with pytest.raises(ValidationError, match="max_body_bytes"):
        Settings(max_body_bytes=1023)
    with pytest.raises(ValidationError, match="max_upload_bytes"):
        Settings(max_upload_bytes=10)


def test_the_public_url_must_be_http_and_loses_its_trailing_slash() -> None:
    assert Settings(public_url=" https://vaa.ge/ ").public_url == "https://vaa.ge"
    assert Settings(public_url="").public_url == ""
    with pytest.raises(ValidationError, match="must start with http"):
        Settings(public_url="vaa.ge")
