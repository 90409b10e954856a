"""`set_random_seed`: one call that seeds Python, NumPy and TensorFlow.

Mirrors tf_keras/src/utils/tf_utils.py: `set_random_seed`.
"""

import random

import numpy as np
import tensorflow as tf

__all__ = ["set_random_seed"]


def set_random_seed(seed: int) -> None:
    """Seeds `random`, `numpy.random` and TensorFlow's global seed.

    After this, initializers, dropout, shuffles and augmentations draw the
    same numbers on every run (up to non-deterministic GPU kernels).

    >>> set_random_seed(3); a = np.random.rand()
    >>> set_random_seed(3); a == np.random.rand()
    True

    Args:
        seed: An integer.

    Raises:
        ValueError: if `seed` is not an integer.
    """
    # bool is an int subclass, but True as a seed is almost surely a mistake.
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(
            "`seed` must be an integer. "
            f"Received: seed={seed!r} (of type {type(seed).__name__})"
        )
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
