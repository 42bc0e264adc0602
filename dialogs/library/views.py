"""Library records → card views."""

from __future__ import annotations

from collections.abc import Sequence

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


def library_view(
    query: str, resources: Sequence[Resource], viewer_key: str, notice: str = ""
) -> LibraryView:
    return LibraryView(
        query=query,
        lines=tuple(line_of(r, viewer_key) for r in rules.search(query, resources)),
        notice=notice,
    )
