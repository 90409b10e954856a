"""CIFAR-100: 50,000 training and 10,000 test 32x32 colour images of 100
fine classes grouped into 20 coarse ones.

`load_data()` downloads `cifar-100-python.tar.gz` once (checked against its
sha256), extracts `cifar-100-python/` next to it in `~/.keras/datasets/`,
and reads the `train` and `test` pickles with `cifar10.load_batch` (the hash
is checked before anything is unpickled).

Mirrors tf_keras/src/datasets/cifar100.py: `load_data`.
"""

import os

import numpy as np

from kengine.backend import common as backend
from kengine.datasets.cifar10 import load_batch
from kengine.utils.data_utils import get_file

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
DIRNAME = "cifar-100-python"
LABEL_MODES = ("fine", "coarse")


def load_data(label_mode="fine", cache_dir=None):
    """Loads CIFAR-100, downloading it on first use.

    Args:
        label_mode: `"fine"` (100 classes) or `"coarse"` (20 super-classes).
        cache_dir: Base cache directory; `None` means `~/.keras`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape
        `(50000, 32, 32, 3)` and `(10000, 32, 32, 3)` (channels first when
        `backend.image_data_format()` is `"channels_first"`), and labels of
        shape `(n, 1)`.

    Raises:
        ValueError: for another `label_mode`.
    """
    if label_mode not in LABEL_MODES:
        raise ValueError(
            f'`label_mode` must be one of "fine", "coarse". '
            f"Received: label_mode={label_mode!r}"
        )
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    path = get_file(
        DIRNAME, origin=ORIGIN, untar=True, file_hash=FILE_HASH, cache_dir=cache_dir
    )
    label_key = f"{label_mode}_labels"
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=label_key)
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=label_key)
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if backend.image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
