"""Tests for kengine/utils/tf_utils.py: set_random_seed."""

import random

import numpy as np
import pytest
import tensorflow as tf

import kengine.utils
from kengine.utils.tf_utils import set_random_seed


def _draws():
    return (random.random(), np.random.rand(), float(tf.random.uniform(())))


def test_seeds_python_numpy_and_tensorflow():
    set_random_seed(12)
    first = _draws()
    set_random_seed(12)
    assert _draws() == first
    set_random_seed(13)
    assert _draws() != first


def test_same_as_seeding_each_library():
    set_random_seed(5)
    ours = _draws()
    random.seed(5)
    np.random.seed(5)
    tf.random.set_seed(5)
    assert _draws() == ours


@pytest.mark.parametrize("seed", [1.5, "1", True, None])
def test_rejects_non_integers(seed):
    with pytest.raises(ValueError, match=r"`seed` must be an integer. Received: seed="):
        set_random_seed(seed)


def test_exported_from_utils():
    assert kengine.utils.set_random_seed is set_random_seed
