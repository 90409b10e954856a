"""Tests of `kengine.layers.unit_normalization` against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.unit_normalization import UnitNormalization
from kengine.testing import run_layer_test
from tests.layers import attention_goldens as goldens

CASES = goldens.case_ids("UnitNormalization")


@pytest.mark.parametrize("case", CASES)
def test_matches_tf_keras(case):
    goldens.check_case(case)
    goldens.check_symbolic(case)


@pytest.mark.parametrize("case", CASES)
def test_conformance_matrix(case):
    run_layer_test(
        UnitNormalization,
        goldens.CASES[case]["kwargs"],
        input_data=goldens.DATA[f"{case}/x0"],
        expected_output=goldens.DATA[f"{case}/y0"],
        expected_num_trainable_weights=0,
        supports_masking=True,
    )


def test_rows_have_unit_norm():
    y = UnitNormalization(axis=[1, 2])(goldens.range_like((2, 3, 4), 5.0)).numpy()
    np.testing.assert_allclose(np.sqrt((y**2).sum(axis=(1, 2))), 1.0, rtol=1e-6)


def test_axis_errors_match_tf_keras():
    with pytest.raises(TypeError) as info:
        UnitNormalization(axis="x")
    assert str(info.value) == goldens.error_message("unit_norm_axis_type")
    with pytest.raises(ValueError) as info:
        UnitNormalization(axis=3)(tf.zeros((2, 3, 4)))
    assert str(info.value) == goldens.error_message("unit_norm_axis_range")
