"""The notes' repository, built once per app from the store (data set ``notes``)."""

from __future__ import annotations

from dialogs.turn import Services
from storage.notes_repository import NotesRepository, TinyDbNotesRepository

COMPONENT = "notes"


def notes_repository(services: Services) -> NotesRepository:
    return services.component(
        COMPONENT, lambda s: TinyDbNotesRepository(s.store.database(COMPONENT))
    )
