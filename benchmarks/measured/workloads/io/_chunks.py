"""The parameter ladder and check shared by the chunked-file-read workloads."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from benchmarks.measured.workload import Case, Fixture, ParamValue
from benchmarks.measured.workloads.io import _inputs

CHUNK_LADDER: tuple[int, ...] = _inputs.CHUNK_SIZES
DEFAULT_CHUNK = 64 * 1024
#: File sizes in MiB; the top of the ladder is 256 MiB (memory stays bounded by one chunk).
SIZE_LADDER_MIB: tuple[int, ...] = (4, 64, 256)
DEFAULT_SIZE_MIB = 4

LADDER: Mapping[str, tuple[ParamValue, ...]] = {"chunk": CHUNK_LADDER, "size_mib": SIZE_LADDER_MIB}
DEFAULTS: Mapping[str, ParamValue] = {"chunk": DEFAULT_CHUNK, "size_mib": DEFAULT_SIZE_MIB}


def path(case: Case) -> Path:
    assert case.fixture_dir is not None, "the data file fixture was not built"
    return case.fixture_dir / _inputs.DATA_FILE


def fixture(case: Case) -> Fixture:
    return _inputs.data_file(case.int("size_mib"))


def chunks(case: Case) -> int:
    return -(-case.int("size_mib") * _inputs.MIB // case.int("chunk"))


def bytes_per_chunk(case: Case) -> float:
    return case.int("size_mib") * _inputs.MIB / chunks(case)


def expected(case: Case) -> list[int]:
    assert case.fixture_dir is not None
    recorded = _inputs.read_expected(case.fixture_dir)[str(case.int("chunk"))]
    assert isinstance(recorded, list)
    return recorded
