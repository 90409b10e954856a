"""kengine: the Keras 2 engine, rewritten to be read, on real TensorFlow.

`import kengine as keras` stands in for `import tf_keras as keras`. This file only
re-exports the public face; see CONTRIBUTING.md for the module map.
"""

__version__ = "0.1.0"

from kengine import (  # noqa: F401
    activations,
    applications,
    backend,
    callbacks,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    preprocessing,
    regularizers,
    saving,
    utils,
)
from kengine.engine.input_layer import Input, InputLayer  # noqa: F401
from kengine.engine.sequential import Sequential  # noqa: F401
from kengine.engine.training import Model  # noqa: F401
from kengine.keras_alias import use_as_keras  # noqa: F401
