"""`kengine.optimizers.legacy`: the Keras 2.x optimizers (`OptimizerV2` family).

Re-exports one optimizer per module, each mirroring its tf_keras
`optimizers/legacy/` file, on the base class in `optimizer_v2`. They take the
Keras 2.x arguments (`decay`, `lr`), name their weights `Adam/iter:0`,
`Adam/dense/kernel/m:0`, ... and give tf_keras's numbers, so scripts and h5
files written for `keras.optimizers.legacy.*` (or for `keras.optimizers.*`
before 2.11) keep working.
"""

from kengine.optimizers.legacy.adadelta import Adadelta
from kengine.optimizers.legacy.adagrad import Adagrad
from kengine.optimizers.legacy.adam import Adam
from kengine.optimizers.legacy.adamax import Adamax
from kengine.optimizers.legacy.ftrl import Ftrl
from kengine.optimizers.legacy.gradient_descent import SGD
from kengine.optimizers.legacy.nadam import Nadam
from kengine.optimizers.legacy.optimizer_v2 import OptimizerV2
from kengine.optimizers.legacy.rmsprop import RMSprop

Optimizer = OptimizerV2

__all__ = [
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Ftrl",
    "Nadam",
    "Optimizer",
    "OptimizerV2",
    "RMSprop",
    "SGD",
]
