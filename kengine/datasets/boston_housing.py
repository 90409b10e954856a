"""Boston housing prices: 506 districts, 13 features each, and the median
home value (in k$) as the target.

`load_data()` downloads `boston_housing.npz` once (checked against tf_keras's
sha256) into `~/.keras/datasets/`, shuffles it with `seed` and keeps the
last `test_split` as the test set.

Mirrors tf_keras/src/datasets/boston_housing.py: `load_data`.
"""

import os

import numpy as np

from kengine.utils.data_utils import get_file

__all__ = ["load_data"]

ORIGIN = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
)
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113, cache_dir=None):
    """Loads the Boston housing data, downloading it on first use.

    Args:
        path: File name of the cached copy, relative to
            `<cache_dir>/datasets/`.
        test_split: Fraction of the samples used as the test set, in [0, 1).
        seed: Seed of the shuffle before the split.
        cache_dir: Base cache directory; `None` means `~/.keras`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float arrays of shape
        `(n, 13)` and `(n,)`.

    Raises:
        ValueError: if `test_split` is not in [0, 1).
    """
    if not 0 <= test_split < 1:
        raise ValueError(
            f"`test_split` must be in [0, 1). Received: test_split={test_split}"
        )
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    path = get_file(path, origin=ORIGIN, file_hash=FILE_HASH, cache_dir=cache_dir)
    # Plain float arrays: no pickled objects are needed to read them.
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
