"""Tests that share a module-scoped run are kept on one xdist worker (``--dist loadgroup``).

``tests/conftest.py`` marks them with ``xdist_group``; pytest-xdist turns the mark into an
``@group`` suffix of the node id, and only then sends the group to one worker. When that
suffix is missing (a pytest that xdist cannot rename), every worker that runs one of the tests
builds the shared run again.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="module")
def shared_value() -> int:
    return 1


def test_a_test_sharing_a_module_fixture_is_grouped(
    request: pytest.FixtureRequest, shared_value: int
) -> None:
    if "PYTEST_XDIST_WORKER" not in os.environ:
        pytest.skip("not run by a pytest-xdist worker: nothing is distributed")
    if request.config.getoption("dist", "no") != "loadgroup" and not request.config.getoption(
        "loadgroup", False
    ):
        pytest.skip("not run with --dist loadgroup")
    assert shared_value == 1
    assert request.node.nodeid.endswith("@tests.test_xdist_groups"), request.node.nodeid
