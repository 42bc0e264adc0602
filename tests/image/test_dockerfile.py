"""What the image promises, read from the Dockerfile itself (runs everywhere, without docker):
the settings it sets are ones the bot reads, it runs as a user, keeps data in the volume and
checks /healthz. ``make image-test`` builds and runs the image for real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _final_stage() -> str:
    return DOCKERFILE.split("\nFROM ")[-1]


def _env() -> dict[str, str]:
    block = re.search(r"^ENV (.+?)(?=^\S)", _final_stage(), re.MULTILINE | re.DOTALL)
    assert block is not None
    pairs = re.findall(r"(\w+)=(\S+)", block.group(1))
    return dict(pairs)


REGISTRATION = {
    "MicrosoftAppId": "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e99",
    "MicrosoftAppPassword": "secret",
    "MicrosoftAppType": "SingleTenant",
    "MicrosoftAppTenantId": "909c6581-5130-43e9-88f3-fcb3582cde37",
}


def test_the_image_settings_are_read_by_the_bot() -> None:
    settings = Settings.from_env({**_env(), **REGISTRATION})
    assert settings.host == "0.0.0.0"
    assert settings.port == 3978
    assert str(settings.data_dir) == "/data"


def test_the_image_refuses_to_listen_on_every_interface_without_authentication() -> None:
    with pytest.raises(SettingsError, match="CDEP_HOST"):
        Settings.from_env(_env())


def test_the_image_runs_as_a_user_with_data_in_a_volume_and_a_healthcheck() -> None:
    final = _final_stage()
    assert re.search(r"^USER veilleuse$", final, re.MULTILINE)
    assert 'VOLUME ["/data"]' in final
    healthcheck = re.search(r"^HEALTHCHECK .+?(?=^\S)", final, re.MULTILINE | re.DOTALL)
    assert healthcheck is not None
    assert "/healthz" in healthcheck.group(0)
    assert final.rstrip().endswith('CMD ["python", "-m", "bot"]')


def test_only_the_wheelhouse_goes_into_the_build_context() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["*", "!build/image-wheels/"]
    assert "--no-index" in DOCKERFILE  # nothing is fetched while the image builds
