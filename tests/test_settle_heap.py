"""settle_heap: what `frontdoor run` does to the garbage collector before the first update."""

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.factory import YOUNG_GC_THRESHOLD, settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_freezes_what_exists_and_collects_young_objects_less_often() -> None:
    older = gc.get_threshold()[1:]
    settle_heap()
    assert gc.get_freeze_count() > 0
    # Only the youngest generation's threshold changes; the older ones stay Python's.
    assert gc.get_threshold() == (YOUNG_GC_THRESHOLD, *older)


@pytest.mark.usefixtures("restored_gc")
def test_cyclic_garbage_made_after_it_is_still_collected() -> None:
    settle_heap()

    class Node:
        other: "Node"

    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    assert gone() is not None  # a cycle: reference counting alone does not free it
    gc.collect()
    assert gone() is None
