"""`kengine.optimizers`: Keras 2.11+ optimizers; this file only re-exports.

One optimizer per module (`sgd`, `rmsprop`, `adagrad`, `adadelta`, `adam`,
`adamax`, `nadam`, `adamw`, `ftrl`, `lion`, `adafactor`) on the base class in
`optimizer`; shared gradient plumbing in `utils`; name lookup in `registry`;
learning-rate schedules in `schedules`; the Keras 2.x (`OptimizerV2`) family in
`legacy`.
"""

from kengine.optimizers import legacy, schedules
from kengine.optimizers.adadelta import Adadelta
from kengine.optimizers.adafactor import Adafactor
from kengine.optimizers.adagrad import Adagrad
from kengine.optimizers.adam import Adam
from kengine.optimizers.adamax import Adamax
from kengine.optimizers.adamw import AdamW
from kengine.optimizers.ftrl import Ftrl
from kengine.optimizers.lion import Lion
from kengine.optimizers.nadam import Nadam
from kengine.optimizers.optimizer import Optimizer
from kengine.optimizers.registry import deserialize, get, serialize
from kengine.optimizers.rmsprop import RMSprop
from kengine.optimizers.sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "Adam",
    "Adamax",
    "Nadam",
    "AdamW",
    "Ftrl",
    "Lion",
    "Adafactor",
    "get",
    "serialize",
    "deserialize",
    "schedules",
    "legacy",
]
