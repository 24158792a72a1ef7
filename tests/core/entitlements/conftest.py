from collections.abc import Iterator

import pytest

from tests.core.entitlements.upstream import LoopbackUpstream


@pytest.fixture
def upstream() -> Iterator[LoopbackUpstream]:
    with LoopbackUpstream() as server:
        yield server
