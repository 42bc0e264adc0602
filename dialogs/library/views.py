"""Library records → card views."""

from __future__ import annotations

from collections.abc import Sequence

from cards.i18n import SUPPORTED_LOCALES, Translator, fold
from cards.library import LibraryView, ResourceLine
from dialogs.library import rules
from storage.resource_repository import Resource


def line_of(resource: Resource, viewer_key: str) -> ResourceLine:
    return ResourceLine(
        id=resource.id,
        title=resource.title,
        url=resource.url,
        kind=resource.kind,
        volet=resource.volet,
        themes=rules.themes_text(resource.themes),
        description=resource.description,
        author=resource.author_name,
        useful_count=resource.useful_count,
        marked=resource.useful_for(viewer_key),
    )


def filter_words() -> tuple[dict[str, str], dict[str, str]]:
    """The words naming a kind and a volet in every language (folded), with the codes."""
    translators = [Translator(locale) for locale in SUPPORTED_LOCALES]
    kinds = {fold(t(f"library.kind.{k}.word")): k for t in translators for k in rules.KINDS}
    volets = {fold(t(f"topics.kind.{v}.word")): v for t in translators for v in rules.VOLETS}
    return kinds, volets


def library_view(
    query: str, resources: Sequence[Resource], viewer_key: str, notice: str = ""
) -> LibraryView:
    """``query`` as typed: kind and volet words filter, the rest is searched."""
    filters = rules.read_filters(query, *filter_words())
    found = rules.search(filters.words, resources, kind=filters.kind, volet=filters.volet)
    return LibraryView(
        query=query,
        lines=tuple(line_of(r, viewer_key) for r in found),
        notice=notice,
    )
