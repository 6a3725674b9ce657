"""Tests of recommender.util.vectors: the one unit scaling behind every cosine."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.util import normalise


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_rows_become_unit_length_in_their_own_dtype_and_zero_rows_stay_zero(dtype):
    vectors = np.array([[3, 4], [0, 0], [0.25, 0]], dtype=dtype)
    unit = normalise(vectors)
    assert unit.dtype == dtype and unit[1].tolist() == [0, 0]
    np.testing.assert_allclose(np.linalg.norm(unit[[0, 2]].astype(float), axis=1), 1, rtol=1e-3)


def test_a_single_vector_is_scaled_too():
    assert normalise(np.array([0.0, 2.0])).tolist() == [0.0, 1.0]
