"""Deterministic input data for the I/O workloads, and the results expected from reading it.

Everything is derived from ``SEED`` and the size, written in blocks so memory stays bounded
however large the file, and described by an ``expected.json`` written next to the data, which
the workloads' checks read (outside any timed region).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import random
import zlib
from pathlib import Path

from benchmarks.measured.workload import Fixture

SEED = 20_240_807
MIB = 1 << 20
#: Bytes generated per block: bounds the memory used to build any fixture.
BLOCK = 1 * MIB
#: The text alphabet the data is drawn from (compressible like real text, about 2:1).
ALPHABET = b"abcdefghijklmnop \n"
_TRANSLATE = bytes(ALPHABET[i % len(ALPHABET)] for i in range(256))

DATA_FILE = "data.bin"
CSV_FILE = "data.csv"
EXPECTED_FILE = "expected.json"
#: Chunk sizes whose expected results the data-file fixture records.
CHUNK_SIZES: tuple[int, ...] = (1024, 64 * 1024, MIB)
#: Files in a backup folder; their sizes differ but add up to the folder's size exactly.
FOLDER_FILES = 8
CSV_HEADER = ("id", "name", "amount", "city")
_CITIES = ("Lisbon", "Oslo", "Quito", "Hanoi", "Accra", "Perth", "Lima", "Riga")


def text_blocks(rng: random.Random, size: int) -> bytes:
    """``size`` bytes of deterministic, text-like data."""
    return rng.randbytes(size).translate(_TRANSLATE)


def chunk_signature(chunk: bytes, signature: int) -> int:
    """Running checksum of a chunk stream: cheap (16 bytes per chunk) but order-sensitive."""
    return zlib.crc32(chunk[:8] + chunk[-8:], signature)


def write_expected(folder: Path, expected: dict[str, object]) -> None:
    (folder / EXPECTED_FILE).write_text(json.dumps(expected, indent=1) + "\n")


@functools.cache
def read_expected(folder: Path) -> dict[str, object]:
    return json.loads((folder / EXPECTED_FILE).read_text())


def build_data_file(size_mib: int, folder: Path) -> None:
    """A ``size_mib`` MiB file, and the chunk count, bytes and signature for each chunk size."""
    rng = random.Random(f"{SEED}-data-{size_mib}")
    with open(folder / DATA_FILE, "wb") as stream:
        for _ in range(size_mib):
            stream.write(text_blocks(rng, BLOCK))
    expected: dict[str, object] = {}
    for chunk_size in CHUNK_SIZES:
        count = signature = 0
        with open(folder / DATA_FILE, "rb") as stream:
            while chunk := stream.read(chunk_size):
                count += 1
                signature = chunk_signature(chunk, signature)
        expected[str(chunk_size)] = [count, size_mib * MIB, signature]
    write_expected(folder, expected)


def data_file(size_mib: int) -> Fixture:
    return Fixture(
        f"datafile-{size_mib}MiB-seed{SEED}", functools.partial(build_data_file, size_mib)
    )


def build_csv_file(rows: int, folder: Path) -> None:
    """A CSV file with a header and ``rows`` rows, and its row count and ``amount`` total."""
    rng = random.Random(f"{SEED}-csv-{rows}")
    total = 0
    with open(folder / CSV_FILE, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_HEADER)
        batch = io.StringIO()
        batch_writer = csv.writer(batch)
        for row_id in range(rows):
            amount = rng.randrange(100_000)
            total += amount
            name = text_blocks(rng, 12).decode().replace("\n", "_").replace(" ", "_")
            batch_writer.writerow((row_id, name, amount, rng.choice(_CITIES)))
            if batch.tell() >= BLOCK:
                stream.write(batch.getvalue())
                batch.seek(0)
                batch.truncate()
        stream.write(batch.getvalue())
    write_expected(folder, {"rows": rows, "amount_total": total})


def csv_file(rows: int) -> Fixture:
    return Fixture(f"csv-{rows}rows-seed{SEED}", functools.partial(build_csv_file, rows))


def folder_file_sizes(size_mib: int) -> list[int]:
    """Sizes of the folder's files: unequal, summing to ``size_mib`` MiB exactly."""
    weights = list(range(1, FOLDER_FILES + 1))
    total = size_mib * MIB
    sizes = [total * w // sum(weights) for w in weights]
    sizes[-1] += total - sum(sizes)
    return sizes


def build_folder(size_mib: int, folder: Path) -> None:
    """A folder of ``FOLDER_FILES`` files totalling ``size_mib`` MiB, with each file's CRC-32."""
    rng = random.Random(f"{SEED}-folder-{size_mib}")
    files = folder / "files"
    files.mkdir()
    expected: dict[str, object] = {}
    for index, size in enumerate(folder_file_sizes(size_mib)):
        name = f"file{index:02d}.txt"
        crc = 0
        with open(files / name, "wb") as stream:
            left = size
            while left:
                block = text_blocks(rng, min(BLOCK, left))
                crc = zlib.crc32(block, crc)
                stream.write(block)
                left -= len(block)
        expected[name] = [size, crc]
    write_expected(folder, expected)


def backup_folder(size_mib: int) -> Fixture:
    return Fixture(f"folder-{size_mib}MiB-seed{SEED}", functools.partial(build_folder, size_mib))
