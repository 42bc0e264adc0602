"""The one place that reads the environment. Everything else receives a frozen ``Settings``."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cards.i18n import normalize_locale

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
# http:// is accepted only for these exact hosts (the machine itself).
_LOOPBACK_URL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
_HOST_PORT = re.compile(r"^[a-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9a-f:]+\](:[0-9]{1,5})?$")


class SettingsError(ValueError):
    """A setting is invalid; the message names the variable (never its secret value)."""


@dataclass(frozen=True)
class Settings:
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    host: str = "127.0.0.1"
    port: int = 3978
    data_dir: Path = Path("data")
    default_locale: str = "fr-CA"
    timezone: str = "America/Montreal"
    graph_tenant_id: str = ""
    graph_client_id: str = ""
    graph_client_secret: str = field(default="", repr=False)
    public_base_url: str = ""
    max_body_bytes: int = 256 * 1024
    # The tenant lock: MicrosoftAppTenantId plus CDEP_TENANTS. Empty = no lock (local use only;
    # from_env requires one when authentication is on).
    tenants: tuple[str, ...] = ()
    # serviceUrl hosts (host or host:port) allowed besides Teams' Bot Connector hosts
    # (CDEP_SERVICE_URL_HOSTS): a local connector stub, a test. Loopback is always allowed
    # while authentication is off (Agents Playground).
    service_url_hosts: tuple[str, ...] = ()
    # Seconds an outbound Bot Connector call may take (connect, then read).
    outbound_timeout: float = 10.0
    # Operations (issue 16): CDEP_LOG_FORMAT, CDEP_METRICS, CDEP_METRICS_TOKEN.
    log_format: str = "text"
    metrics_enabled: bool = False
    metrics_token: str = field(default="", repr=False)
    # Nightly backups (bot/backups.py): CDEP_BACKUP_DIR (empty = none), CDEP_BACKUP_KEEP.
    backup_dir: Path | None = None
    backup_keep: int = 14

    @property
    def auth_enabled(self) -> bool:
        return bool(self.app_id)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, require_secrets: bool = True
    ) -> Settings:
        """``require_secrets=False`` is for tools that only need ids (``make package``)."""
        env = os.environ if environ is None else environ

        def get(name: str, default: str = "") -> str:
            return env.get(name, default).strip()

        app_id = get("MicrosoftAppId")
        if app_id and not _GUID.match(app_id):
            raise SettingsError("MicrosoftAppId must be a GUID (the bot's Entra app id).")
        app_password = get("MicrosoftAppPassword")
        app_type = get("MicrosoftAppType", "MultiTenant") or "MultiTenant"
        if app_type not in _APP_TYPES:
            raise SettingsError(f"MicrosoftAppType must be one of {', '.join(_APP_TYPES)}.")
        tenant = get("MicrosoftAppTenantId")
        if tenant and not _GUID.match(tenant):
            raise SettingsError("MicrosoftAppTenantId must be a GUID.")
        if app_type == "SingleTenant" and not tenant:
            raise SettingsError(
                "MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant."
            )
        if require_secrets and app_id and app_type != "UserAssignedMSI" and not app_password:
            raise SettingsError("MicrosoftAppPassword is required when MicrosoftAppId is set.")

        port_text = get("PORT", "3978") or "3978"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError("PORT must be a number between 1 and 65535.")

        locale_text = get("CDEP_LOCALE", "fr-CA") or "fr-CA"
        locale = normalize_locale(locale_text)
        if locale is None:
            raise SettingsError("CDEP_LOCALE must be fr-CA or en.")

        timezone = get("CDEP_TIMEZONE", "America/Montreal") or "America/Montreal"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError("CDEP_TIMEZONE must be an IANA time zone name.") from exc

        graph_tenant = get("GRAPH_TENANT_ID") or tenant
        if graph_tenant and not _GUID.match(graph_tenant):
            raise SettingsError("GRAPH_TENANT_ID must be a GUID.")
        graph_client = get("GRAPH_CLIENT_ID") or app_id
        if graph_client and not _GUID.match(graph_client):
            raise SettingsError("GRAPH_CLIENT_ID must be a GUID.")

        base_url = _public_url(get("CDEP_PUBLIC_URL"))
        host = get("CDEP_HOST", "127.0.0.1") or "127.0.0.1"
        if not app_id and not _is_loopback(host):
            raise SettingsError(
                "CDEP_HOST must be a loopback address (127.0.0.1, ::1, localhost) while "
                "MicrosoftAppId is empty (authentication off)."
            )
        tenants = _tenants(tenant, get("CDEP_TENANTS"))
        if require_secrets and app_id and not tenants:
            raise SettingsError(
                "MicrosoftAppTenantId (or CDEP_TENANTS) is required when MicrosoftAppId is set: "
                "the bot answers only the community's tenant."
            )
        hosts = tuple(h.strip().lower() for h in get("CDEP_SERVICE_URL_HOSTS").split(",") if h)
        for entry in hosts:
            if not _HOST_PORT.match(entry):
                raise SettingsError("CDEP_SERVICE_URL_HOSTS must list host or host:port entries.")

        backup_dir = get("CDEP_BACKUP_DIR").strip()
        keep_text = get("CDEP_BACKUP_KEEP", "14").strip() or "14"
        if not keep_text.isdigit() or not 1 <= int(keep_text) <= 365:
            raise SettingsError("CDEP_BACKUP_KEEP must be a number between 1 and 365.")

        log_format = (get("CDEP_LOG_FORMAT", "text") or "text").lower()
        if log_format not in ("text", "json"):
            raise SettingsError("CDEP_LOG_FORMAT must be text or json.")
        metrics_text = get("CDEP_METRICS", "off").lower() or "off"
        if metrics_text not in ("on", "off", "true", "false", "1", "0", "yes", "no"):
            raise SettingsError("CDEP_METRICS must be on or off.")

        return cls(
            app_id=app_id,
            app_password=app_password,
            app_type=app_type,
            app_tenant_id=tenant,
            host=host,
            port=int(port_text),
            data_dir=Path(get("CDEP_DATA_DIR", "data") or "data"),
            default_locale=locale,
            timezone=timezone,
            graph_tenant_id=graph_tenant,
            graph_client_id=graph_client,
            graph_client_secret=get("GRAPH_CLIENT_SECRET") or app_password,
            public_base_url=base_url,
            tenants=tenants,
            service_url_hosts=hosts,
            log_format=log_format,
            metrics_enabled=metrics_text in ("on", "true", "1", "yes"),
            metrics_token=get("CDEP_METRICS_TOKEN"),
            backup_dir=Path(backup_dir) if backup_dir else None,
            backup_keep=int(keep_text),
        )


def _public_url(text: str) -> str:
    """CDEP_PUBLIC_URL: https://host[:port][/path], or http:// for the machine itself only."""
    url = text.strip().rstrip("/")
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError as exc:
        raise SettingsError("CDEP_PUBLIC_URL is not a valid address.") from exc
    netloc_host = parts.netloc.rpartition("@")[2]
    bracketed = netloc_host.startswith("[")
    host_only = netloc_host.split("]")[0] + "]" if bracketed else netloc_host.split(":")[0]
    if (
        not parts.hostname
        or "@" in parts.netloc
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in url)
    ):
        raise SettingsError("CDEP_PUBLIC_URL must be an https:// address (no user, query).")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and host_only.lower() in _LOOPBACK_URL_HOSTS:
        return url
    raise SettingsError(
        "CDEP_PUBLIC_URL must be an https:// address (http:// only for localhost, "
        "127.0.0.1 or [::1])."
    )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _tenants(main: str, extra: str) -> tuple[str, ...]:
    found = [main] if main else []
    for entry in re.split(r"[,\s]+", extra):
        if not entry:
            continue
        if not _GUID.match(entry):
            raise SettingsError("CDEP_TENANTS must list tenant GUIDs separated by commas.")
        if entry.lower() not in (t.lower() for t in found):
            found.append(entry)
    return tuple(t.lower() for t in found)
