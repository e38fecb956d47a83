"""The long crash, fault and fuzz runs (marker `reliability`) run only when asked for:
`pytest -m reliability` or FRONTDOOR_RELIABILITY=1 (.ci/run sets it once)."""

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    asked = "reliability" in (config.getoption("-m") or "").replace("not reliability", "")
    if asked or os.environ.get("FRONTDOOR_RELIABILITY") == "1":
        return
    skip = pytest.mark.skip(reason="long reliability run: pytest -m reliability")
    for item in items:
        if item.get_closest_marker("reliability"):
            item.add_marker(skip)
