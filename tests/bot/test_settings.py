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


TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
AUTH = {"MicrosoftAppId": APP, "MicrosoftAppPassword": "s3cret", "MicrosoftAppTenantId": TENANT}


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost.attacker.example",
        "http://127.0.0.1.attacker.example",
        "http://localhost@attacker.example",
        "http://10.0.0.5:3978",
        "https://user:pw@veilleuse.example",
        "https://veilleuse.example/?next=x",
        "https://",
        "javascript:alert(1)",
        "http://localhost:99999",
    ],
)
def test_a_public_url_must_be_https_or_this_machine(url: str) -> None:
    with pytest.raises(SettingsError, match="CDEP_PUBLIC_URL"):
        Settings.from_env({"CDEP_PUBLIC_URL": url})


@pytest.mark.parametrize(
    "url",
    [
        "https://veilleuse.example",
        "https://veilleuse.example:8443/bot/",
        "http://localhost:3978",
        "http://127.0.0.1",
        "http://[::1]:8080",
    ],
)
def test_https_and_loopback_public_urls_are_accepted(url: str) -> None:
    assert Settings.from_env({"CDEP_PUBLIC_URL": url}).public_base_url == url.rstrip("/")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "veilleuse.example"])
def test_a_non_loopback_host_with_authentication_off_refuses_to_start(host: str) -> None:
    with pytest.raises(SettingsError, match="CDEP_HOST"):
        Settings.from_env({"CDEP_HOST": host})


def test_a_non_loopback_host_is_fine_with_authentication_on() -> None:
    assert Settings.from_env({**AUTH, "CDEP_HOST": "0.0.0.0"}).host == "0.0.0.0"


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_loopback_hosts_are_fine_with_authentication_off(host: str) -> None:
    assert Settings.from_env({"CDEP_HOST": host}).host == host


def test_authentication_on_needs_the_community_tenant() -> None:
    with pytest.raises(SettingsError, match="MicrosoftAppTenantId"):
        Settings.from_env({"MicrosoftAppId": APP, "MicrosoftAppPassword": "s3cret"})


def test_the_tenant_lock_lists_the_app_tenant_and_the_extra_ones() -> None:
    other = "ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee"
    settings = Settings.from_env({**AUTH, "CDEP_TENANTS": f"{other.upper()}, {TENANT}"})
    assert settings.tenants == (TENANT, other)
    with pytest.raises(SettingsError, match="CDEP_TENANTS"):
        Settings.from_env({**AUTH, "CDEP_TENANTS": "not-a-guid"})
    only_extra = {k: v for k, v in AUTH.items() if k != "MicrosoftAppTenantId"}
    assert Settings.from_env({**only_extra, "CDEP_TENANTS": other}).tenants == (other,)


def test_service_url_hosts_are_host_or_host_port() -> None:
    settings = Settings.from_env({"CDEP_SERVICE_URL_HOSTS": "127.0.0.1:3979, Stub.Example"})
    assert settings.service_url_hosts == ("127.0.0.1:3979", "stub.example")
    with pytest.raises(SettingsError, match="CDEP_SERVICE_URL_HOSTS"):
        Settings.from_env({"CDEP_SERVICE_URL_HOSTS": "http://x/"})
