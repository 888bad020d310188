"""A cycle's sources are shared evenly between the parallel crawl processes, in as few rounds as the largest
batch allows."""

from __future__ import annotations

import pytest

from monitor.ops.crawls import balanced


@pytest.mark.parametrize(
    ("count", "most", "parallel", "size"),
    [
        (3000, 1500, 2, 1500),  # one round: two batches of 1,500
        (3000, 500, 2, 500),  # the bound holds: six batches in three rounds
        (3001, 1500, 2, 751),  # two rounds of two: four batches of at most 751
        (56, 1500, 2, 28),  # a small registry still uses both processes
        (1, 1500, 2, 1),
        (0, 1500, 2, 1),
        (10, 1500, 0, 10),  # no parallelism given: one process
    ],
)
def test_batch_size(count: int, most: int, parallel: int, size: int) -> None:
    assert balanced(count, most, parallel) == size


@pytest.mark.parametrize("count", [1, 7, 499, 1500, 2999, 3000, 3001, 9000])
def test_no_batch_exceeds_the_bound_and_no_round_is_wasted(count: int) -> None:
    most, parallel = 1500, 2
    size = balanced(count, most, parallel)
    batches = -(-count // size)
    assert size <= most
    assert -(-batches // parallel) == max(1, -(-count // (most * parallel)))  # as few rounds as the bound allows
