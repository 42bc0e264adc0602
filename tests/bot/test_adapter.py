from __future__ import annotations

import msrest.universal_http.requests as msrest_requests
import pytest

from bot.adapter import create_adapter, patch_msrest_retry_scan
from bot.settings import Settings


def test_msrest_retry_scan_patch_keeps_the_same_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    original = list(msrest_requests.ClientRetryPolicy.safe_codes)
    monkeypatch.setattr(msrest_requests.ClientRetryPolicy, "safe_codes", original)
    patch_msrest_retry_scan()
    patched = msrest_requests.ClientRetryPolicy.safe_codes
    assert isinstance(patched, frozenset)
    assert patched == frozenset(original)
    assert all((code in patched) == (code in original) for code in range(999))


def test_adapter_creation_applies_the_patch_and_warns_without_auth(
    caplog: pytest.LogCaptureFixture,
) -> None:
    create_adapter(Settings())
    assert isinstance(msrest_requests.ClientRetryPolicy.safe_codes, frozenset)
    assert "authentication is OFF" in caplog.text
