"""Tests of `kengine.layers.group_normalization` against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.group_normalization import GroupNormalization
from kengine.layers.normalization import LayerNormalization
from kengine.testing import run_layer_test
from tests.layers import attention_goldens as goldens

CASES = goldens.case_ids("GroupNormalization")


@pytest.mark.parametrize("case", CASES)
def test_matches_tf_keras(case):
    goldens.check_case(case)
    goldens.check_symbolic(case)
    goldens.check_config_round_trip(case)


def test_conformance_matrix():
    case = "group_norm_channels_first"
    run_layer_test(
        GroupNormalization,
        goldens.CASES[case]["kwargs"],
        input_data=goldens.DATA[f"{case}/x0"],
        weights=goldens.golden_weights(case),
        expected_output=goldens.DATA[f"{case}/y0"],
        expected_num_trainable_weights=1,
        supports_masking=True,
    )


def test_one_group_is_layer_normalization_over_all_axes():
    x = goldens.range_like((2, 3, 4), 2.0)
    group = GroupNormalization(groups=1, epsilon=1e-3)(x)
    layer = LayerNormalization(axis=[1, 2], epsilon=1e-3)(x)
    np.testing.assert_allclose(group.numpy(), layer.numpy(), rtol=1e-5, atol=1e-5)


def test_groups_minus_one_means_one_group_per_channel():
    layer = GroupNormalization(groups=-1)
    layer(tf.zeros((1, 2, 6)))
    assert layer.groups == 6 and layer.get_config()["groups"] == 6


@pytest.mark.parametrize(
    "case, groups, shape",
    [
        ("group_norm_too_many", 8, (2, 3, 4)),
        ("group_norm_not_multiple", 3, (2, 3, 4)),
        ("group_norm_undefined", 2, (None, 3, None)),
    ],
)
def test_group_errors_match_tf_keras(case, groups, shape):
    with pytest.raises(ValueError) as info:
        GroupNormalization(groups=groups).build(tf.TensorShape(shape))
    assert str(info.value) == goldens.error_message(case)
