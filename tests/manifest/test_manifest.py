"""The Teams app package: schema-valid, commands equal to the command table, proper icons.

The official schemas come from npm ``@microsoft/app-manifest`` (installed by ``make tools`` into
``.tools/``, never committed). Its validator is AJV draft-04 with the formats uri, email and
regex; the validator below mirrors it in Python: draft-04 keywords plus ``const`` (used for
``manifestVersion``), keywords beside ``$ref`` applied (the localization schema puts
``maxLength`` there) and ECMAScript-style ``\\p{L}`` patterns read with ``regex`` (locked, via
botbuilder-dialogs); remote references resolve only to the bundled files.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from operator import methodcaller
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import regex
from jsonschema import Draft4Validator, Draft6Validator, FormatChecker, ValidationError, validators
from PIL import Image
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

from bot import manifest as builder
from bot.commands import COMMANDS
from cards.i18n import Translator

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_MANIFEST_VERSION = "1.1.2"  # keep in step with APP_MANIFEST_VERSION in the Makefile
APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
BASE_URL = "https://cdep.example.org"
VERSION = "1.2.3"
EXPECTED_FILES = {"manifest.json", "en.json", "color.png", "outline.png"}
MEETING_RSC = {
    "OnlineMeetingParticipant.Read.Chat",
    "ChannelMeeting.ReadBasic.Group",
    "OnlineMeeting.ReadBasic.Chat",
}
_SCHEMA_URL = re.compile(
    r"^https://developer\.microsoft\.com/(?:[a-z]{2}-[a-z]{2}/)?json-schemas/(?P<path>[^#]+)"
)
_TEAMS_SCHEMA = re.compile(r"^teams/v(?P<version>[0-9.]+)/MicrosoftTeams\.schema\.json$")


# --- the schemas and a validator faithful to the npm package's ---------------------------------


def schemas_root(repo_root: Path = REPO_ROOT) -> Path:
    """``build/json-schemas`` of the installed npm package; a clear failure if it is missing."""
    package = repo_root / ".tools" / "node_modules" / "@microsoft" / "app-manifest"
    try:
        version = json.loads((package / "package.json").read_text("utf-8"))["version"]
    except FileNotFoundError:
        pytest.fail(
            "npm @microsoft/app-manifest is not installed in .tools/: run `make tools` "
            "(make test does it) to get the official Teams manifest schemas.",
            pytrace=False,
        )
    if version != APP_MANIFEST_VERSION:
        pytest.fail(
            f".tools has @microsoft/app-manifest {version}, expected {APP_MANIFEST_VERSION}: "
            "run `make tools`.",
            pytrace=False,
        )
    return package / "build" / "json-schemas"


def _uri_format(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    scheme_ok = re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme) is not None
    return scheme_ok and not re.search(r"[\s<>\"{}|\\^`]", value)


def _regex_format(value: object) -> bool:
    if isinstance(value, str):
        regex.compile(value)
    return True


def _pattern(validator: Any, pattern: str, instance: object, schema: object) -> Any:
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_FORMATS = FormatChecker(formats=("email",))
_FORMATS.checks("uri")(_uri_format)
_FORMATS.checks("regex", raises=regex.error)(_regex_format)

AjvDraft4Validator = validators.create(
    meta_schema=Draft4Validator.META_SCHEMA,
    validators={
        **Draft4Validator.VALIDATORS,
        "const": Draft6Validator.VALIDATORS["const"],
        "pattern": _pattern,
    },
    type_checker=Draft4Validator.TYPE_CHECKER,
    format_checker=_FORMATS,
    id_of=DRAFT4.id_of,
    applicable_validators=methodcaller("items"),
)


def _registry(root: Path) -> Registry:
    def retrieve(uri: str) -> Resource:
        match = _SCHEMA_URL.match(uri)
        path = root / match["path"] if match else None
        if path is None or not path.is_file():
            raise NoSuchResource(ref=uri)  # never fetched from the network
        return DRAFT4.create_resource(json.loads(path.read_text("utf-8")))

    return Registry(retrieve=retrieve)


def validator_for(schema_url: str, root: Path) -> Any:
    """Validator for the bundled copy of ``schema_url`` (a ``$schema`` value)."""
    match = _SCHEMA_URL.match(schema_url)
    assert match, f"unexpected $schema {schema_url!r}"
    path = root / match["path"]
    if not path.is_file():
        pytest.fail(
            f"{match['path']} is not bundled in @microsoft/app-manifest {APP_MANIFEST_VERSION}"
        )
    schema = json.loads(path.read_text("utf-8"))
    AjvDraft4Validator.check_schema(schema, format_checker=_FORMATS)
    return AjvDraft4Validator(schema, registry=_registry(root), format_checker=_FORMATS)


def errors(validator: Any, document: dict[str, Any]) -> list[str]:
    return sorted(
        f"/{'/'.join(str(p) for p in error.absolute_path)} {error.message}"
        for error in validator.iter_errors(document)
    )


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def root() -> Path:
    return schemas_root()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    inputs = builder.ManifestInputs(app_id=APP_ID, public_base_url=BASE_URL)
    return builder.build_package(tmp_path, settings=inputs, version=VERSION)


@pytest.fixture
def files(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def manifest(files: dict[str, bytes]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(files["manifest.json"].decode("utf-8"))
    return data


@pytest.fixture
def localization(files: dict[str, bytes]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(files["en.json"].decode("utf-8"))
    return data


@pytest.fixture
def manifest_validator(manifest: dict[str, Any], root: Path) -> Any:
    return validator_for(manifest["$schema"], root)


@pytest.fixture
def localization_validator(localization: dict[str, Any], root: Path) -> Any:
    return validator_for(localization["$schema"], root)


@dataclass(frozen=True)
class Listed:
    """Stands in for a command-table entry: the builder reads only these two fields."""

    id: str
    in_manifest: bool = True


def shown_commands() -> list[Any]:
    return [spec for spec in COMMANDS if spec.in_manifest]


# --- the package -------------------------------------------------------------------------------


def test_zip_holds_exactly_the_package_files_at_its_root(package: Path, tmp_path: Path) -> None:
    assert package == tmp_path / f"veilleuse-{VERSION}.zip"
    with zipfile.ZipFile(package) as archive:
        assert set(archive.namelist()) == EXPECTED_FILES
        assert len(archive.namelist()) == len(EXPECTED_FILES)
    assert not list(tmp_path.glob("*.tmp"))


def test_same_inputs_give_the_same_zip(package: Path, tmp_path: Path) -> None:
    inputs = builder.ManifestInputs(app_id=APP_ID, public_base_url=BASE_URL)
    again = builder.build_package(tmp_path / "again", settings=inputs, version=VERSION)
    assert again.read_bytes() == package.read_bytes()


def test_manifest_is_valid_for_its_manifest_version(
    manifest: dict[str, Any], manifest_validator: Any
) -> None:
    schema_path = _SCHEMA_URL.match(manifest["$schema"])
    assert schema_path
    version = _TEAMS_SCHEMA.match(schema_path["path"])
    assert version
    assert version["version"] == manifest["manifestVersion"]
    assert tuple(int(n) for n in manifest["manifestVersion"].split(".")) >= (1, 23)
    assert errors(manifest_validator, manifest) == []


def test_localization_file_is_valid(
    manifest: dict[str, Any], localization: dict[str, Any], localization_validator: Any
) -> None:
    assert localization["$schema"] == manifest["$schema"].replace(
        "MicrosoftTeams.schema.json", "MicrosoftTeams.Localization.schema.json"
    )
    assert errors(localization_validator, localization) == []


def test_ids_version_and_urls_are_filled_in(manifest: dict[str, Any]) -> None:
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["webApplicationInfo"]["id"] == APP_ID
    assert manifest["version"] == VERSION
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert manifest["developer"][key].startswith(BASE_URL + "/")
    assert manifest["validDomains"] == [urlsplit(BASE_URL).hostname]
    assert "{{" not in json.dumps(manifest)


def test_languages_fr_ca_by_default_and_english(manifest: dict[str, Any]) -> None:
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": "fr-CA",
        "additionalLanguages": [{"languageTag": "en", "file": "en.json"}],
    }
    assert len(manifest["name"]["short"]) <= 30


def test_bot_scopes_and_meeting_permissions(manifest: dict[str, Any]) -> None:
    bot = manifest["bots"][0]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    if shown_commands():
        assert {scope for cl in bot["commandLists"] for scope in cl["scopes"]} == set(bot["scopes"])
    rsc = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {p["name"] for p in rsc} >= MEETING_RSC
    assert {p["type"] for p in rsc} == {"Application"}


def test_french_command_lists_are_the_command_table(manifest: dict[str, Any]) -> None:
    t = Translator("fr-CA")
    expected = [
        {"title": t(f"command.{s.id}.word"), "description": t(f"command.{s.id}.description")}
        for s in shown_commands()
    ]
    lists = manifest["bots"][0].get("commandLists", [])
    assert len(lists) == (3 if expected else 0)
    for command_list in lists:
        assert len(command_list["commands"]) <= 10
        assert command_list["commands"] == expected


def test_english_command_titles_are_the_english_words(
    manifest: dict[str, Any], localization: dict[str, Any]
) -> None:
    t = Translator("en")
    lists = manifest["bots"][0].get("commandLists", [])
    expected: dict[str, str] = {}
    for i in range(len(lists)):
        for j, spec in enumerate(shown_commands()):
            prefix = f"bots[0].commandLists[{i}].commands[{j}]"
            expected[f"{prefix}.title"] = t(f"command.{spec.id}.word")
            expected[f"{prefix}.description"] = t(f"command.{spec.id}.description")
    commands = {k: v for k, v in localization.items() if k.startswith("bots[")}
    assert commands == expected
    for key in ("name.short", "name.full", "description.short", "description.full"):
        assert localization[key].strip()
    assert len(localization["name.short"]) <= 30


def test_icons_have_the_right_sizes_and_outline_is_white_on_transparent(
    files: dict[str, bytes],
) -> None:
    color = Image.open(io.BytesIO(files["color.png"]))
    assert (color.format, color.size) == ("PNG", (192, 192))
    colours = color.convert("RGB").getcolors(maxcolors=192 * 192)
    assert colours
    assert len(colours) > 8  # full colour, not a flat square

    outline = Image.open(io.BytesIO(files["outline.png"]))
    assert (outline.format, outline.size, outline.mode) == ("PNG", (32, 32), "RGBA")
    red, green, blue, alpha = outline.split()
    assert red.getextrema() == green.getextrema() == blue.getextrema() == (255, 255)  # white only
    corners = ((0, 0), (31, 0), (0, 31), (31, 31))
    assert all(alpha.getpixel(corner) == 0 for corner in corners)
    histogram = alpha.histogram()
    assert histogram[0] > 32 * 32 // 4  # a transparent background
    assert histogram[255] > 50  # and a visible symbol


def test_packaged_icons_are_the_committed_ones(files: dict[str, bytes]) -> None:
    for name in ("color.png", "outline.png"):
        assert files[name] == (REPO_ROOT / "manifest" / name).read_bytes()


# --- the validator is live ---------------------------------------------------------------------


def test_validator_rejects_a_short_name_over_30_characters(
    manifest: dict[str, Any], manifest_validator: Any
) -> None:
    bad = {**manifest, "name": {**manifest["name"], "short": "V" * 40}}
    assert any(e.startswith("/name/short ") for e in errors(manifest_validator, bad))


def test_validator_rejects_another_manifest_version(
    manifest: dict[str, Any], manifest_validator: Any
) -> None:
    bad = {**manifest, "manifestVersion": "1.99"}
    assert any(e.startswith("/manifestVersion ") for e in errors(manifest_validator, bad))


def test_validator_rejects_bad_localization_entries(
    localization: dict[str, Any], localization_validator: Any
) -> None:
    too_long = {**localization, "name.short": "V" * 40}
    assert any(e.startswith("/name.short ") for e in errors(localization_validator, too_long))
    unknown = {**localization, "bots[0].commandLists[0].commands[0].titel": "x"}
    assert errors(localization_validator, unknown)


def test_missing_tools_fail_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="make tools"):
        schemas_root(tmp_path)


# --- the builder's own checks ------------------------------------------------------------------


def test_empty_app_id_gives_the_placeholder_and_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="bot.manifest"):
        data = builder.build_manifest(builder.ManifestInputs(public_base_url=BASE_URL), "0.1.0")
    assert data["id"] == data["bots"][0]["botId"] == builder.PLACEHOLDER_APP_ID
    assert "local testing only" in caplog.text


def test_no_https_base_url_gives_the_placeholder_site(caplog: pytest.LogCaptureFixture) -> None:
    inputs = builder.ManifestInputs(app_id=APP_ID, public_base_url="http://127.0.0.1:3978")
    with caplog.at_level("WARNING", logger="bot.manifest"):
        data = builder.build_manifest(inputs, "0.1.0")
    assert data["developer"]["privacyUrl"].startswith(builder.PLACEHOLDER_BASE_URL + "/")
    assert "CDEP_PUBLIC_URL" in caplog.text


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "1.0.0-dev", "01.0.0"])
def test_version_must_be_major_minor_patch(version: str) -> None:
    with pytest.raises(ValueError, match="MAJOR.MINOR.PATCH"):
        builder.build_manifest(builder.ManifestInputs(app_id=APP_ID), version)


def test_app_id_must_be_a_guid() -> None:
    with pytest.raises(ValueError, match="GUID"):
        builder.build_manifest(builder.ManifestInputs(app_id="not-a-guid"), "1.0.0")


def test_more_than_ten_manifest_commands_is_an_error() -> None:
    too_many = tuple(Listed("help") for _ in range(11))
    with pytest.raises(ValueError, match="at most 10"):
        builder.build_manifest(builder.ManifestInputs(app_id=APP_ID), "1.0.0", commands=too_many)


def test_commands_left_out_of_the_manifest_are_not_listed() -> None:
    hidden = (*COMMANDS, Listed("no.such.command", in_manifest=False))
    data = builder.build_manifest(builder.ManifestInputs(app_id=APP_ID), "1.0.0", commands=hidden)
    assert len(data["bots"][0]["commandLists"][0]["commands"]) == len(shown_commands())


def test_no_listed_command_means_no_command_lists(root: Path) -> None:
    none = (Listed("help", in_manifest=False),)
    inputs = builder.ManifestInputs(app_id=APP_ID, public_base_url=BASE_URL)
    data = builder.build_manifest(inputs, "1.0.0", commands=none)
    assert "commandLists" not in data["bots"][0]
    english = builder.build_localization(data, "en", commands=none)
    assert not [key for key in english if key.startswith("bots[")]
    assert errors(validator_for(data["$schema"], root), data) == []
    assert errors(validator_for(english["$schema"], root), english) == []


def test_main_builds_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "CDEP_PUBLIC_URL", "GRAPH_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MicrosoftAppType", "MultiTenant")
    assert builder.main(["--out", str(tmp_path), "--version", "2.0.0"]) == 0
    with zipfile.ZipFile(tmp_path / "veilleuse-2.0.0.zip") as archive:
        data = json.loads(archive.read("manifest.json"))
    assert data["id"] == builder.PLACEHOLDER_APP_ID
    assert data["version"] == "2.0.0"


def test_main_reports_a_bad_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    assert builder.main(["--out", str(tmp_path), "--version", "nope"]) == 2
    assert not list(tmp_path.iterdir())
