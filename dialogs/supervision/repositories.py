"""The supervision repository, built once per app from the store (data set ``supervision``)."""

from __future__ import annotations

from dialogs.turn import Services
from storage.supervision_repository import SupervisionRepository, TinyDbSupervisionRepository

COMPONENT = "supervision"


def supervision_repository(services: Services) -> SupervisionRepository:
    return services.component(
        COMPONENT, lambda s: TinyDbSupervisionRepository(s.store.database(COMPONENT))
    )
