"""The local engine's object labels: order by (popularity, object), computed without a sort."""

from __future__ import annotations

import numpy as np
import pytest

from infoops.detect import local


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("n_objects", "n_actions"), [(1, 5), (7, 40), (5000, 20_000)])
def test_dense_labels_equal_the_sorting_labels(seed: int, n_objects: int, n_actions: int) -> None:
    rng = np.random.default_rng(seed)
    n_per_obj = rng.integers(2, 6, n_objects + 3)  # few distinct counts: many ties
    obj = rng.integers(1, n_objects + 1, n_actions)  # some ranks unused
    dense = local._dense_labels(obj, n_per_obj)
    assert np.array_equal(dense, local._labels(obj, n_per_obj[obj]))
    assert np.array_equal(np.unique(dense), np.arange(np.unique(obj).size))  # dense labels


def test_dense_labels_put_rare_objects_first() -> None:
    """Planted: object 3 (2 accounts) before 1 and 2 (5 each, in object order)."""
    n_per_obj = np.array([0, 5, 5, 2])
    obj = np.array([2, 1, 3, 2, 3])
    assert local._dense_labels(obj, n_per_obj).tolist() == [2, 1, 0, 2, 0]


def test_dense_labels_of_no_actions() -> None:
    assert local._dense_labels(np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)).size == 0
