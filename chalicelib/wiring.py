"""The real adapters the routes hand to services, built once per container on first use."""
from __future__ import annotations

import functools
import os

from ..adapters import clock
from ..adapters.dynamo import DynamoMatterRepository
from ..adapters.lifecycle import LifecycleGateway
from ..adapters.secrets import PhoneHasher
from ..services.intake import Deps


@functools.lru_cache(maxsize=1)
def intake_deps() -> Deps:
    return Deps(repo=DynamoMatterRepository(), lifecycle=LifecycleGateway(),
                hash_phone=PhoneHasher(), now=clock.now, random_bytes=os.urandom)


def reset() -> None:
    intake_deps.cache_clear()
