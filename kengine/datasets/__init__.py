"""Small datasets, each with `load_data()`: MNIST, Fashion-MNIST, CIFAR-10,
CIFAR-100, IMDB, Reuters and Boston housing (downloaded once and cached),
and the 8x8 digits (bundled).

Mirrors tf_keras/src/datasets/.
"""

from kengine.datasets import (  # noqa: F401
    boston_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
