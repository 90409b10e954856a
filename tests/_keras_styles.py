"""One small training script in each way tf.keras 2 code spells Keras.

The scripts are text: the tests write them to a temporary folder and run them
in subprocesses, with and without `kengine.use_as_keras()`, so this file imports
no Keras. Each script is a `HEADERS` entry (its imports and a `build()` that
returns a model and an optimizer) followed by the shared `TAIL`: fixed weights,
a fixed data set, `fit(shuffle=False)` and `predict`, written as JSON to the
file named by the script's first argument. The `"reference"` header writes the
same script with `import kengine as keras`; `run_reference` runs it in the test
process.
"""

import json
import runpy
from pathlib import Path

HEADERS = {
    "tf_attribute": """
import tensorflow as tf


def build():
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(3,)),
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(1),
        ]
    )
    return model, tf.keras.optimizers.SGD(learning_rate=0.1)
""",
    "from_tensorflow_keras_layers": """
from tensorflow.keras import Input, Model
from tensorflow.keras.layers import Dense
from tensorflow.keras.optimizers import SGD


def build():
    inputs = Input(shape=(3,))
    hidden = Dense(4, activation="relu")(inputs)
    return Model(inputs, Dense(1)(hidden)), SGD(learning_rate=0.1)
""",
    "from_tensorflow_import_keras": """
from tensorflow import keras
from tensorflow.keras import layers


def build():
    model = keras.Sequential()
    model.add(keras.Input(shape=(3,)))
    model.add(layers.Dense(4, activation="relu"))
    model.add(layers.Dense(1))
    return model, keras.optimizers.SGD(learning_rate=0.1)
""",
    "import_keras": """
import keras


def build():
    inputs = keras.Input(shape=(3,))
    hidden = keras.layers.Dense(4, activation="relu")(inputs)
    outputs = keras.layers.Dense(1)(hidden)
    return keras.Model(inputs, outputs), keras.optimizers.SGD(learning_rate=0.1)
""",
    "keras_backend": """
from keras import backend as K
from keras.layers import Dense
from keras.models import Sequential
from keras.optimizers import SGD


def build():
    assert K.floatx() == "float32" and K.epsilon() == 1e-07
    model = Sequential([Dense(4, activation="relu", input_shape=(3,)), Dense(1)])
    return model, SGD(learning_rate=0.1)
""",
    "import_tf_keras": """
import tf_keras as keras


def build():
    model = keras.Sequential(
        [keras.Input(shape=(3,)), keras.layers.Dense(4, activation="relu")]
    )
    model.add(keras.layers.Dense(1))
    return model, keras.optimizers.SGD(learning_rate=0.1)
""",
    "reference": """
import kengine as keras


def build():
    inputs = keras.Input(shape=(3,))
    hidden = keras.layers.Dense(4, activation="relu")(inputs)
    outputs = keras.layers.Dense(1)(hidden)
    return keras.Model(inputs, outputs), keras.optimizers.SGD(learning_rate=0.1)
""",
}

# The package each style reaches when no switch is on (what find_spec looks for).
PLAIN_KERAS = {
    "tf_attribute": "keras",
    "from_tensorflow_keras_layers": "keras",
    "from_tensorflow_import_keras": "keras",
    "import_keras": "keras",
    "keras_backend": "keras",
    "import_tf_keras": "tf_keras",
}
STYLES = sorted(PLAIN_KERAS)

TAIL = """
import json
import sys

import numpy as np


def train():
    model, optimizer = build()
    model.set_weights(
        [
            (np.sin(np.arange(w.size) + i) * 0.5).reshape(w.shape).astype("float32")
            for i, w in enumerate(model.get_weights())
        ]
    )
    x = np.sin(np.arange(24) * 0.7).reshape(8, 3).astype("float32")
    y = np.cos(np.arange(8)).reshape(8, 1).astype("float32")
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return {
        "model": f"{type(model).__module__}.{type(model).__name__}",
        "optimizer": type(optimizer).__module__,
        "loss": [float(v) for v in history.history["loss"]],
        "prediction": model.predict(x, verbose=0).ravel().tolist(),
    }


if __name__ == "__main__":
    result = train()
    result.update(argv=sys.argv, path0=sys.path[0])
    with open(sys.argv[1], "w") as f:
        json.dump(result, f)
"""

# Runs the style scripts named on its command line, each as `__main__`, writing
# `style_<style>.json` into the folder given first. Files are prefixed so that
# none shadows a package (`tf_keras.py`) when its folder is on `sys.path`.
RUN_ALL = """
import runpy
import sys
from pathlib import Path

folder = Path(sys.argv[1])
for style in sys.argv[2:]:
    sys.argv = [str(folder / f"style_{style}.py"), str(folder / f"style_{style}.json")]
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def write_scripts(folder: Path) -> None:
    """Writes `style_<style>.py` for every style, and `run_all.py`, into `folder`."""
    for style, header in HEADERS.items():
        (folder / f"style_{style}.py").write_text(header + TAIL)
    (folder / "run_all.py").write_text(RUN_ALL)


def read_result(folder: Path, style: str) -> dict:
    """The JSON a style script wrote into `folder`."""
    return json.loads((folder / f"style_{style}.json").read_text())


def run_reference(folder: Path) -> dict:
    """The `"reference"` script's result, trained in this process."""
    write_scripts(folder)
    return runpy.run_path(str(folder / "style_reference.py"), run_name="reference")[
        "train"
    ]()
