"""The ranges ``--verify-assets`` compares with a cached file: fixed per digest and link."""

from __future__ import annotations

from hub_plugin.validation.served_file import SAMPLE_LENGTH, SAMPLES, WHOLE_FILE_LIMIT, sample_ranges


def test_a_small_file_is_one_range_and_an_empty_one_none() -> None:
    assert sample_ranges(WHOLE_FILE_LIMIT, "seed") == [(0, WHOLE_FILE_LIMIT - 1)]
    assert sample_ranges(0, "seed") == []


def test_a_large_file_gets_its_first_last_and_seeded_ranges_the_same_every_time() -> None:
    size = 50 * 1024 * 1024 + 3
    ranges = sample_ranges(size, "digest link")
    assert ranges == sample_ranges(size, "digest link")
    assert ranges != sample_ranges(size, "digest another-link")
    assert ranges[0] == (0, SAMPLE_LENGTH - 1) and ranges[-1] == (size - SAMPLE_LENGTH, size - 1)
    assert len(ranges) == SAMPLES + 2
    assert all(last - first + 1 == SAMPLE_LENGTH and first >= 0 and last < size for first, last in ranges)
