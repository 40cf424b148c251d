"""How the backends split a tree's policies between worker processes (backends/workers.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from policylang.backends import workers


@given(count=st.integers(0, 20_000), jobs=st.integers(1, 8), smallest=st.integers(1, 64))
def test_spans_cover_the_items_in_order_and_shrink_towards_the_end(count, jobs, smallest):
    spans = workers.spans(count, jobs, smallest)
    assert [i for start, stop in spans for i in range(start, stop)] == list(range(count))
    sizes = [stop - start for start, stop in spans]
    assert all(a >= b for a, b in zip(sizes, sizes[1:]))  # large first: neighbours stay together
    assert all(size >= smallest for size in sizes[:-1])  # only the last may be short
    if count:
        # each chunk a share of what was left when it was cut, so the workers finish together
        left = count
        for size in sizes[:-1]:
            assert size <= max(smallest, -(-left // (jobs * 4)))
            left -= size


def test_the_3209_tree_is_handed_out_in_large_runs_then_small_ones():
    sizes = [stop - start for start, stop in workers.spans(3209, 2, 16)]
    assert sizes[0] == 402 and sizes[-2:] == [16, 15] and len(sizes) == 32
