from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError

APP = "11111111-2222-3333-4444-555555555555"


def test_defaults_for_local_use() -> None:
    settings = Settings.from_env({})
    assert settings.app_id == ""
    assert not settings.auth_enabled
    assert settings.port == 3978
    assert settings.data_dir == Path("data")
    assert settings.default_locale == "fr-CA"
    assert settings.timezone == "America/Montreal"


def test_graph_credentials_default_to_the_app() -> None:
    settings = Settings.from_env(
        {"MicrosoftAppId": APP, "MicrosoftAppPassword": "s3cret", "MicrosoftAppTenantId": APP}
    )
    assert settings.graph_client_id == APP
    assert settings.graph_tenant_id == APP
    assert settings.graph_client_secret == "s3cret"
    assert "s3cret" not in repr(settings)


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"PORT": "abc"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"MicrosoftAppId": "not-a-guid"}, "MicrosoftAppId"),
        ({"MicrosoftAppId": APP}, "MicrosoftAppPassword"),
        ({"MicrosoftAppType": "Whatever"}, "MicrosoftAppType"),
        ({"MicrosoftAppType": "SingleTenant"}, "MicrosoftAppTenantId"),
        ({"CDEP_LOCALE": "de-DE"}, "CDEP_LOCALE"),
        ({"CDEP_TIMEZONE": "Mars/Olympus"}, "CDEP_TIMEZONE"),
        ({"GRAPH_CLIENT_ID": "x"}, "GRAPH_CLIENT_ID"),
        ({"CDEP_PUBLIC_URL": "ftp://x"}, "CDEP_PUBLIC_URL"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(env)


def test_english_locale_accepted() -> None:
    assert Settings.from_env({"CDEP_LOCALE": "en-US"}).default_locale == "en"


def test_packaging_needs_no_secret() -> None:
    settings = Settings.from_env({"MicrosoftAppId": APP}, require_secrets=False)
    assert settings.app_id == APP
