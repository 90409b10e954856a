"""`kengine.use_as_keras()`: every Keras spelling reaches kengine, only when asked.

The test process itself never throws the switch (it would reroute Keras for
every later test), so the switch runs in two subprocesses:

- with it, four Keras 2 guide programs of `tests/programs/_programs.py` run in
  their original spelling (`tf.keras`, `from tensorflow import keras`,
  `import keras`, `import tf_keras`) and must match tf_keras's goldens; names
  kengine lacks must raise the kengine-gap errors;
- without it, importing kengine must leave TensorFlow's Keras alone, and the
  scripts of `tests/_keras_styles.py` must train on the installed Keras
  (skipped for a style whose Keras is not installed).

The name mapping and the alias module are checked here, in-process.
"""

import importlib.util
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine import keras_alias
from kengine.keras_alias import KengineGapError, KerasAlias, kengine_module_for
from tests import _keras_styles
from tests.programs._golden import assert_matches_golden

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
ENV.update(TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))

# Program -> the spelling it is handed as its `keras` module.
SPELLINGS = {
    "custom_fit": "tf.keras",
    "transfer": "from_tensorflow",
    "image_ts": "plain_keras",
    "add_loss": "tf_keras",
}

# Statements that reach for something kengine does not have, and the error each
# must raise: (exception class, Keras module, kengine module, missing name).
GAPS = {
    "tf.keras.layers.NoSuchLayer": (
        "KengineGapError",
        "tensorflow.keras.layers",
        "kengine.layers",
        "NoSuchLayer",
    ),
    "from tensorflow.keras.layers import NoSuchLayer": (
        "KengineGapImportError",
        "tensorflow.keras.layers",
        "kengine.layers",
        "NoSuchLayer",
    ),
    "from keras import backend as K\nK.no_such_function": (
        "KengineGapError",
        "keras.backend",
        "kengine.backend",
        "no_such_function",
    ),
    "import tf_keras.no_such_module.inner": (
        "KengineGapImportError",
        "tf_keras",
        "kengine",
        "no_such_module",
    ),
    "from keras.optimizers import no_such_module": (
        "KengineGapImportError",
        "keras.optimizers",
        "kengine.optimizers",
        "no_such_module",
    ),
}

WITH_SWITCH = """
import pickle
import random
import sys

import numpy as np

import kengine

kengine.use_as_keras()
kengine.use_as_keras()  # a second call changes nothing

import keras as plain_keras
import tensorflow as tf
import tf_keras
from tensorflow import keras as from_tensorflow

from kengine import keras_alias
from tests.programs import _programs

modules = {
    "tf.keras": tf.keras,
    "from_tensorflow": from_tensorflow,
    "plain_keras": plain_keras,
    "tf_keras": tf_keras,
}
results = {}
for name, spelling in SPELLINGS.items():
    modules[spelling].backend.clear_session()
    random.seed(1337), np.random.seed(1337), tf.random.set_seed(1337)
    results[name] = _programs.RUNS[name](modules[spelling])

gaps = {}
for statement in GAPS:
    try:
        exec(statement, {"tf": tf})
    except Exception as error:
        gaps[statement] = (type(error).__name__, str(error))

facts = {
    "tf.keras.Model is kengine.Model": tf.keras.Model is kengine.Model,
    "tf.losses is an alias of kengine.losses": tf.losses.Huber is kengine.losses.Huber,
    "tf.compat.v2.keras reaches kengine": (
        tf.compat.v2.keras.layers.Dense is kengine.layers.Dense
    ),
    "one finder": sum(isinstance(f, keras_alias._KerasFinder) for f in sys.meta_path) == 1,
    "keras is an alias": isinstance(sys.modules["keras"], keras_alias.KerasAlias),
    "renamed path": from_tensorflow.optimizers.legacy.SGD is kengine.optimizers.legacy.SGD,
}
with open(sys.argv[1], "wb") as f:
    pickle.dump({"results": results, "gaps": gaps, "facts": facts}, f)
"""

WITHOUT_SWITCH = """
import json
import runpy
import sys
from pathlib import Path

import tensorflow as tf

import kengine
from kengine import keras_alias

folder = Path(sys.argv[1])
facts = {
    "active": keras_alias.is_active(),
    "tf.keras": type(vars(tf)["keras"]).__name__,
    "finders": [type(f).__name__ for f in sys.meta_path],
    "keras modules": sorted(n for n in sys.modules if n.startswith("tensorflow.keras")),
}
(folder / "facts.json").write_text(json.dumps(facts))
sys.argv = [str(folder / "run_all.py"), *sys.argv[1:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _python(code: str, *args: str, cwd) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def switched(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("switched") / "out.pkl"
    setup = f"SPELLINGS = {SPELLINGS!r}\nGAPS = {list(GAPS)!r}\n"
    _python(setup + WITH_SWITCH, str(out), cwd=ROOT)
    return pickle.loads(out.read_bytes())


INSTALLED = [
    s for s, p in _keras_styles.PLAIN_KERAS.items() if importlib.util.find_spec(p)
]


@pytest.fixture(scope="module")
def unswitched(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("unswitched")
    _keras_styles.write_scripts(folder)
    _python(WITHOUT_SWITCH, str(folder), *INSTALLED, cwd=folder)
    return folder


# --- with the switch, in a subprocess ------------------------------------------


@pytest.mark.parametrize("program", sorted(SPELLINGS))
def test_guide_programs_in_their_tf_keras_spelling_match_the_goldens(switched, program):
    assert_matches_golden(program, switched["results"][program])


def test_every_keras_spelling_reaches_kengine(switched):
    assert switched["facts"] == {name: True for name in switched["facts"]}
    assert len(switched["facts"]) == 6


@pytest.mark.parametrize("statement", sorted(GAPS))
def test_a_missing_name_is_reported_as_a_kengine_gap(switched, statement):
    error, keras_module, kengine_module, name = GAPS[statement]
    assert switched["gaps"][statement] == (
        error,
        keras_alias.gap_message(keras_module, name, kengine_module),
    )


# --- without the switch, in a subprocess ---------------------------------------


def test_importing_kengine_patches_nothing(unswitched):
    facts = json.loads((unswitched / "facts.json").read_text())
    assert facts["active"] is False
    assert facts["tf.keras"] == "KerasLazyLoader"
    assert "_KerasFinder" not in facts["finders"]
    assert facts["keras modules"] == []


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    return _keras_styles.run_reference(tmp_path_factory.mktemp("reference"))


@pytest.mark.parametrize("style", _keras_styles.STYLES)
def test_without_the_switch_scripts_run_on_the_installed_keras(
    unswitched, reference, style
):
    if style not in INSTALLED:
        pytest.skip(f"{_keras_styles.PLAIN_KERAS[style]} is not installed")
    result = _keras_styles.read_result(unswitched, style)
    package = result["model"].split(".")[0]
    assert package == _keras_styles.PLAIN_KERAS[style]
    # The scripts compute the same thing: the installed Keras 2 or 3 agrees
    # with kengine to float32 rounding.
    np.testing.assert_allclose(result["loss"], reference["loss"], rtol=1e-5)
    np.testing.assert_allclose(result["prediction"], reference["prediction"], rtol=1e-5)


# --- the mapping and the alias module, in this process -------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("keras", "kengine"),
        ("tf_keras", "kengine"),
        ("tensorflow.keras", "kengine"),
        ("tensorflow.keras.layers", "kengine.layers"),
        ("keras.backend", "kengine.backend"),
        ("tf_keras.optimizers.schedules", "kengine.optimizers.schedules"),
        ("keras.optimizers.legacy", "kengine.optimizers.legacy"),
        ("keras.optimizers.optimizer_v2.adam", "kengine.optimizers.legacy.adam"),
        ("keras.optimizers.experimental", "kengine.optimizers"),
        (
            "tensorflow.keras.layers.experimental.preprocessing",
            "kengine.layers.experimental.preprocessing",
        ),
        ("keras.layers.advanced_activations", "kengine.layers.activation"),
        ("keras.utils.np_utils", "kengine.utils.np_utils"),
        ("keras.utils.generic_utils", "kengine.utils"),
        ("keras.preprocessing.image", "kengine.preprocessing.image"),
        ("keras.datasets.mnist", "kengine.datasets.mnist"),
        ("tf_keras.src.engine.training", "kengine.engine.training"),
        ("keras.src", "kengine"),
        ("keras.src.optimizers.optimizer_v2.adam", "kengine.optimizers.legacy.adam"),
        ("keras.wrappers", None),
        ("keras.layers.Dense", None),
        ("keras.run", None),  # kengine's own entry points are not Keras modules
        ("keras.keras_alias", None),
        ("kerasx", None),
        ("tensorflow", None),
        ("tensorflow.python", None),
        ("kengine.layers", None),
    ],
)
def test_keras_names_map_to_kengine_modules(name, expected):
    assert kengine_module_for(name) == expected


@pytest.mark.parametrize("keras_path", sorted(keras_alias.RENAMED))
def test_every_renamed_path_lands_on_a_kengine_module(keras_path):
    assert kengine_module_for(f"keras.{keras_path}") is not None


def test_the_module_list_comes_from_kengine_files():
    modules = keras_alias.kengine_modules()
    assert {"kengine.layers", "kengine.engine.training", "kengine.utils"} <= modules
    assert not modules & keras_alias.KENGINE_ONLY


@pytest.fixture()
def layers_alias():
    return KerasAlias("tensorflow.keras.layers", kengine.layers)


def test_the_alias_forwards_to_its_kengine_module(layers_alias):
    assert layers_alias.Dense is kengine.layers.Dense
    assert "Dense" in dir(layers_alias) and "Dense" in layers_alias.__all__
    assert repr(layers_alias) == "<module 'tensorflow.keras.layers' -> kengine.layers>"


def test_the_alias_names_a_gap(layers_alias):
    message = keras_alias.gap_message(
        "tensorflow.keras.layers", "NoSuchLayer", "kengine.layers"
    )
    assert message.startswith("tensorflow.keras.layers.NoSuchLayer is a kengine gap")
    with pytest.raises(KengineGapError) as raised:
        layers_alias.NoSuchLayer
    assert str(raised.value) == message
    assert isinstance(raised.value, AttributeError)


def test_a_missing_dunder_is_a_plain_attribute_error(layers_alias):
    # Tools probe modules for `__wrapped__`, `__file__`, ...: not a kengine gap.
    with pytest.raises(AttributeError) as raised:
        layers_alias.__wrapped__
    assert not isinstance(raised.value, KengineGapError)


def test_writes_through_the_alias_reach_kengine(layers_alias):
    layers_alias.written_through_alias = 1
    assert kengine.layers.written_through_alias == 1
    del layers_alias.written_through_alias
    assert not hasattr(kengine.layers, "written_through_alias")


def test_this_process_is_not_switched():
    assert not keras_alias.is_active()
    assert type(vars(tf)["keras"]).__name__ == "KerasLazyLoader"
