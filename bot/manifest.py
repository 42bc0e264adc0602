"""Build the Teams app package from ``manifest/``: ``python -m bot.manifest`` (``make package``).

The templates hold everything that is not per-deployment: ``manifest/manifest.template.json``
(strings in the default language, fr-CA) and one localization file per additional language
(``manifest/en.json``). The builder fills in the app id, the version and the public base URL,
adds the bot's command lists from ``bot.commands.COMMANDS`` (words and descriptions from the
catalogs), and zips ``manifest.json``, the localization files and the two icons at the root of
``manifest/build/veilleuse-<version>.zip`` (git-ignored).

Without ``MicrosoftAppId`` the package carries a placeholder app id and is for local testing only.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from bot.commands import COMMANDS
from bot.settings import Settings, SettingsError
from cards.i18n import Translator, normalize_locale

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST_DIR = REPO_ROOT / "manifest"
BUILD_DIR = MANIFEST_DIR / "build"
TEMPLATE_NAME = "manifest.template.json"

PLACEHOLDER_APP_ID = "00000000-0000-0000-0000-000000000000"
PLACEHOLDER_BASE_URL = "https://veilleuse.example.org"
MAX_COMMANDS_PER_LIST = 10  # Teams shows at most 10 commands per command list.

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)$")
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
# Fixed timestamp so that the same inputs give a byte-identical zip.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

JSON = dict[str, Any]


class ListedCommand(Protocol):
    """What the builder reads from a command-table entry (``bot.commands.COMMANDS``)."""

    @property
    def id(self) -> str: ...

    @property
    def in_manifest(self) -> bool: ...


class ManifestSettings(Protocol):
    """What the builder reads; ``bot.settings.Settings`` fits, and so does ``ManifestInputs``."""

    @property
    def app_id(self) -> str: ...

    @property
    def public_base_url(self) -> str: ...


@dataclass(frozen=True)
class ManifestInputs:
    """Explicit builder inputs, for tests and scripts that have no ``Settings``."""

    app_id: str = ""
    public_base_url: str = ""


def default_version() -> str:
    """The installed ``veilleuse`` distribution's version (``pyproject.toml``)."""
    return metadata.version("veilleuse")


def manifest_commands(commands: Sequence[ListedCommand] = COMMANDS) -> tuple[ListedCommand, ...]:
    """The commands shown in each manifest command list, in table order."""
    shown = tuple(spec for spec in commands if spec.in_manifest)
    if len(shown) > MAX_COMMANDS_PER_LIST:
        ids = ", ".join(spec.id for spec in shown)
        raise ValueError(
            f"{len(shown)} commands have in_manifest=True but Teams allows at most "
            f"{MAX_COMMANDS_PER_LIST} per command list; set in_manifest=False on some of: {ids}"
        )
    return shown


def command_entries(
    locale: str, commands: Sequence[ListedCommand] = COMMANDS
) -> list[dict[str, str]]:
    """``[{"title": word, "description": ...}]`` for the manifest commands, in ``locale``."""
    t = Translator(locale)
    return [
        {"title": t(f"command.{spec.id}.word"), "description": t(f"command.{spec.id}.description")}
        for spec in manifest_commands(commands)
    ]


def build_manifest(
    settings: ManifestSettings, version: str, *, commands: Sequence[ListedCommand] = COMMANDS
) -> JSON:
    """``manifest.json`` as a dict: the template with ids, version, URLs and command lists."""
    if not _SEMVER.match(version):
        raise ValueError(f"app version {version!r} must be MAJOR.MINOR.PATCH (for example 1.0.0)")
    app_id = _app_id(settings)
    base_url = _base_url(settings)
    values = {
        "APP_ID": app_id,
        "VERSION": version,
        "BASE_URL": base_url,
        "BASE_DOMAIN": urlsplit(base_url).hostname or "",
    }
    manifest = _fill(_load_json(MANIFEST_DIR / TEMPLATE_NAME), values)
    locale = _catalog_locale(manifest["localizationInfo"]["defaultLanguageTag"])
    entries = command_entries(locale, commands)
    bot = manifest["bots"][0]
    if not entries:
        # No command to show: leave the (otherwise empty) command lists out.
        bot.pop("commandLists", None)
    for command_list in bot.get("commandLists", []):
        command_list["commands"] = copy.deepcopy(entries)
    return manifest


def build_localization(
    manifest: JSON, language_tag: str, *, commands: Sequence[ListedCommand] = COMMANDS
) -> JSON:
    """The localization file for one of ``manifest``'s additional languages.

    Name and descriptions come from its template in ``manifest/``; every command title and
    description comes from the catalog, under the JSON-path keys Teams expects
    (``bots[0].commandLists[0].commands[0].title``).
    """
    entry = _additional_language(manifest, language_tag)
    localization = _load_json(MANIFEST_DIR / entry["file"])
    entries = command_entries(_catalog_locale(language_tag), commands)
    for i, command_list in enumerate(manifest["bots"][0].get("commandLists", [])):
        if len(command_list["commands"]) != len(entries):
            raise ValueError(f"commandLists[{i}] does not hold the command table's commands")
        for j, texts in enumerate(entries):
            for field_name, text in texts.items():
                localization[f"bots[0].commandLists[{i}].commands[{j}].{field_name}"] = text
    return localization


def package_files(settings: ManifestSettings, version: str) -> dict[str, bytes]:
    """File name -> content for every file at the root of the app package."""
    manifest = build_manifest(settings, version)
    files = {"manifest.json": _dump(manifest)}
    for entry in manifest["localizationInfo"].get("additionalLanguages", []):
        files[entry["file"]] = _dump(build_localization(manifest, entry["languageTag"]))
    for icon in manifest["icons"].values():
        files[icon] = (MANIFEST_DIR / icon).read_bytes()
    return files


def build_package(
    out_dir: Path = BUILD_DIR,
    *,
    settings: ManifestSettings | None = None,
    version: str | None = None,
) -> Path:
    """Write ``<out_dir>/veilleuse-<version>.zip`` and return its path."""
    version = version or default_version()
    files = package_files(settings or ManifestInputs(), version)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"veilleuse-{version}.zip"
    tmp = path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    tmp.replace(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.manifest",
        description="Build the Teams app package (manifest.json, en.json and icons in a zip).",
    )
    parser.add_argument(
        "--version",
        dest="app_version",
        help="app version MAJOR.MINOR.PATCH (default: the veilleuse package version)",
    )
    parser.add_argument("--out", type=Path, default=BUILD_DIR, help="output folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    try:
        settings = Settings.from_env(require_secrets=False)
        path = build_package(args.out, settings=settings, version=args.app_version)
    except (SettingsError, ValueError) as exc:
        # A user error, not a bug: the message is enough, no traceback.
        logger.error("Cannot build the Teams app package: %s", exc)  # noqa: TRY400
        return 2
    logger.info("Teams app package written: %s", path)
    return 0


def _app_id(settings: ManifestSettings) -> str:
    app_id = settings.app_id.strip()
    if not app_id:
        logger.warning(
            "MicrosoftAppId is empty: the package uses the placeholder app id %s and is for "
            "local testing only; it cannot reach a deployed bot.",
            PLACEHOLDER_APP_ID,
        )
        return PLACEHOLDER_APP_ID
    if not _GUID.match(app_id):
        raise ValueError("the app id (MicrosoftAppId) must be a GUID")
    return app_id


def _base_url(settings: ManifestSettings) -> str:
    base_url = settings.public_base_url.strip().rstrip("/")
    if base_url.startswith("https://") and urlsplit(base_url).hostname:
        return base_url
    logger.warning(
        "No public https base URL (CDEP_PUBLIC_URL): the developer URLs use the placeholder %s.",
        PLACEHOLDER_BASE_URL,
    )
    return PLACEHOLDER_BASE_URL


def _catalog_locale(language_tag: str) -> str:
    locale = normalize_locale(language_tag)
    if locale is None:
        raise ValueError(f"no message catalog for manifest language {language_tag!r}")
    return locale


def _additional_language(manifest: JSON, language_tag: str) -> dict[str, str]:
    languages: Iterable[dict[str, str]] = manifest["localizationInfo"].get(
        "additionalLanguages", []
    )
    for entry in languages:
        if entry["languageTag"] == language_tag:
            return entry
    raise ValueError(f"{language_tag!r} is not an additional language of the manifest")


def _fill(node: Any, values: dict[str, str]) -> Any:
    """Replace ``{{NAME}}`` in every string of parsed JSON; fail on an unknown name."""
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, values) for value in node]
    if isinstance(node, str):
        return _PLACEHOLDER.sub(lambda m: _lookup(values, m.group(1)), node)
    return node


def _lookup(values: dict[str, str], name: str) -> str:
    if name not in values:
        raise ValueError(f"unknown placeholder {{{{{name}}}}} in {TEMPLATE_NAME}")
    return values[name]


def _load_json(path: Path) -> JSON:
    data: JSON = json.loads(path.read_text(encoding="utf-8"))
    return data


def _dump(data: JSON) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
