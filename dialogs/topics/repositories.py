"""The topic bank's and the case queue's repositories, built once per app from the store.

The component names are also the data-set names (``topics.json``, ``cases.json``); the vitality
report reads the same components.
"""

from __future__ import annotations

from dialogs.turn import Services
from storage.case_repository import CaseRepository, TinyDbCaseRepository
from storage.topic_repository import TinyDbTopicRepository, TopicRepository

TOPICS_COMPONENT = "topics"
CASES_COMPONENT = "cases"


def topic_repository(services: Services) -> TopicRepository:
    return services.component(
        TOPICS_COMPONENT, lambda s: TinyDbTopicRepository(s.store.database(TOPICS_COMPONENT))
    )


def case_repository(services: Services) -> CaseRepository:
    return services.component(
        CASES_COMPONENT, lambda s: TinyDbCaseRepository(s.store.database(CASES_COMPONENT))
    )
