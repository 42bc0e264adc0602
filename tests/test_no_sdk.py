"""dialogs/, cards/ and storage/ import without any Teams, Graph, web or scheduler library.

import-linter checks the import statements; this test checks what actually runs at import
time: every module of those packages is imported in a fresh interpreter where the platform
libraries raise ImportError (a port to another Teams SDK replaces bot/ only).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dialogs", "cards", "storage")
BLOCKED = (
    "botbuilder",
    "botframework",
    "msrest",
    "msgraph",
    "msgraph_core",
    "kiota_abstractions",
    "kiota_authentication_azure",
    "kiota_http",
    "kiota_serialization_json",
    "kiota_serialization_text",
    "kiota_serialization_form",
    "kiota_serialization_multipart",
    "azure",
    "aiohttp",
    "apscheduler",
)

_SCRIPT = """
import importlib, pkgutil, sys

BLOCKED = set({blocked!r})

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is not available outside bot/")
        return None

sys.meta_path.insert(0, Blocker())
for package in {packages!r}:
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        importlib.import_module(info.name)
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
if leaked:
    raise SystemExit("loaded: " + ", ".join(leaked))
print("ok")
"""


@pytest.mark.integration
def test_features_cards_and_storage_import_without_platform_libraries() -> None:
    script = _SCRIPT.format(blocked=BLOCKED, packages=PACKAGES)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:] or result.stdout[-2000:]
    assert result.stdout.strip() == "ok"
