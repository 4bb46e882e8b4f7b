"""The one order design: balanced random orders of the arms inside every block."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from benchmarks.running import blocks


@pytest.mark.parametrize("arms", [2, 3, 4, 5])
def test_williams_square_balances_position_and_carry_over(arms: int) -> None:
    square = blocks.williams_square(arms)
    assert len(square) == (arms if arms % 2 == 0 else 2 * arms)
    for position in range(arms):
        counts = Counter(row[position] for row in square)
        assert set(counts.values()) == {len(square) // arms}
    follows = Counter((a, b) for row in square for a, b in itertools.pairwise(row))
    assert len(follows) == arms * (arms - 1)  # every ordered pair of distinct arms
    assert len(set(follows.values())) == 1  # equally often


@pytest.mark.parametrize("arms", [2, 3])
def test_every_complete_cycle_of_blocks_is_balanced(arms: int) -> None:
    square = len(blocks.williams_square(arms))
    cycle = square * -(-blocks.CYCLE_BLOCKS // square)
    orders = [blocks.worker_order(arms, block, seed=7) for block in range(4 * cycle)]
    assert all(sorted(order) == list(range(arms)) for order in orders)
    for start in range(0, len(orders), cycle):
        for position in range(arms):
            counts = Counter(order[position] for order in orders[start : start + cycle])
            assert set(counts.values()) == {cycle // arms}
        follows = Counter(
            pair for order in orders[start : start + cycle] for pair in itertools.pairwise(order)
        )
        assert len(set(follows.values())) == 1


def test_the_order_is_random_but_reproducible_from_its_seed() -> None:
    first = blocks.worker_sequence(2, 40, seed=1)
    assert first == blocks.worker_sequence(2, 40, seed=1)
    assert first != blocks.worker_sequence(2, 40, seed=2)
    # not the fixed ABBA pattern, and both AB and BA open a cycle for some seeds
    assert first != [0, 1, 1, 0] * 20
    openings = {tuple(blocks.worker_order(2, 0, seed)) for seed in range(20)}
    assert openings == {(0, 1), (1, 0)}


def test_seeds_are_stable_and_fresh_ones_vary() -> None:
    assert blocks.design_seed("run|bench") == blocks.design_seed("run|bench")
    assert blocks.design_seed("run|bench") != blocks.design_seed("run|other")
    assert len({blocks.new_design_seed() for _ in range(8)}) > 1
    assert blocks.worker_order(0, 3, 1) == []
