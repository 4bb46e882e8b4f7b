"""Valgrind client requests made from Python: nothing natively, answered under Valgrind."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from benchmarks.running import client_requests
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(
    not client_requests.available(), reason=f"{client_requests.unavailable_reason()}"
)


def test_natively_a_request_returns_its_default() -> None:
    assert client_requests.request(client_requests.RUNNING_ON_VALGRIND, default=7) == 7
    assert not client_requests.running_on_valgrind()
    client_requests.start_instrumentation()  # harmless natively


def test_at_most_five_arguments() -> None:
    with pytest.raises(ValueError, match="at most 5"):
        client_requests.request(client_requests.RUNNING_ON_VALGRIND, 1, 2, 3, 4, 5, 6)


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_under_valgrind_the_request_is_answered() -> None:
    code = "from benchmarks.running import client_requests as c; print(c.running_on_valgrind())"
    completed = subprocess.run(
        ["valgrind", "--tool=none", "-q", sys.executable, "-c", code],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert completed.stdout.strip() == "True"
