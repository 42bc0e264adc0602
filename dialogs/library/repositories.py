"""The library's repository, built once per app from the store (data set ``library``)."""

from __future__ import annotations

from dialogs.turn import Services
from storage.resource_repository import ResourceRepository, TinyDbResourceRepository

COMPONENT = "library"


def resource_repository(services: Services) -> ResourceRepository:
    return services.component(
        COMPONENT, lambda s: TinyDbResourceRepository(s.store.database(COMPONENT))
    )
