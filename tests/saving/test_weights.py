"""save_weights / load_weights: both formats, tf_keras's files, saves that survive SIGKILL."""

import builtins
import json
import os
import random
import select
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine.callbacks.training_state import TrainingState
from kengine.saving import hdf5_format, weights
from tests.goldens import load_json, path
from tests.saving import _kill_saver
from tests.saving._models import BUILDERS, GOLDEN, inputs, mlp

META = load_json("saving", "saving.json")


def _assert_same_weights(a, b):
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("case", sorted(BUILDERS))
def test_tf_keras_checkpoint_loads_with_identical_predictions(case):
    model = BUILDERS[case]()
    prefix = str(path("saving", f"{case}_tf/ckpt.index"))[: -len(".index")]
    status = model.load_weights(prefix)
    status.assert_existing_objects_matched()
    predictions = model.predict(inputs(case), verbose=0)
    # Weights are exact; an ulp of difference comes from the CPU's kernels.
    np.testing.assert_allclose(predictions, GOLDEN[f"{case}_y"], rtol=1e-6)


def test_tf_format_writes_the_files_tf_keras_writes(tmp_path):
    source = mlp()
    source.save_weights(tmp_path / "ckpt")
    assert sorted(os.listdir(tmp_path)) == META["mlp"]["tf"]["files"]
    assert (tmp_path / "checkpoint").read_text() == META["mlp"]["tf"]["checkpoint_file"]
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "ckpt")
    target = mlp()
    target.load_weights(str(tmp_path / "ckpt")).assert_consumed()
    _assert_same_weights(source, target)


@pytest.mark.parametrize("suffix", [".h5", ".hdf5", ".keras", ".weights.h5"])
def test_h5_round_trip(tmp_path, suffix):
    source = mlp()
    source.save_weights(tmp_path / f"w{suffix}")
    assert os.listdir(tmp_path) == [f"w{suffix}"]  # no temporary file left
    target = mlp()
    assert target.load_weights(tmp_path / f"w{suffix}") is None
    _assert_same_weights(source, target)


def test_save_format_h5_without_suffix(tmp_path):
    mlp().save_weights(tmp_path / "weights", save_format="h5")
    with h5py.File(tmp_path / "weights") as f:
        assert "layer_names" in f.attrs


class Subclassed(kengine.Model):
    def __init__(self):
        super().__init__()
        self.hidden = kengine.layers.Dense(3)
        self.out = kengine.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def test_tf_format_restores_variables_created_after_load(tmp_path):
    x = np.ones((2, 4), np.float32)
    source = Subclassed()
    expected = source(x).numpy()
    source.save_weights(tmp_path / "ckpt")
    target = Subclassed()  # no variables yet
    status = target.load_weights(tmp_path / "ckpt")
    np.testing.assert_array_equal(target(x).numpy(), expected)  # restored on build
    status.assert_existing_objects_matched()


def test_failed_h5_write_leaves_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "w.h5"
    mlp().save_weights(target)
    before = target.read_bytes()

    def crash(f, model):
        f.create_group("half_written")
        raise RuntimeError("disk full")

    monkeypatch.setattr(hdf5_format, "save_weights_to_hdf5_group", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        mlp().save_weights(target)
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.h5"]


@pytest.mark.parametrize("answer, overwritten", [("n", False), ("y", True)])
def test_overwrite_false_asks_first(tmp_path, monkeypatch, answer, overwritten):
    target = tmp_path / "w.h5"
    first = mlp()
    first.save_weights(target)
    monkeypatch.setattr(builtins, "input", lambda prompt: answer)
    second = mlp()
    second.save_weights(target, overwrite=False)
    loaded = mlp()
    loaded.load_weights(target)
    _assert_same_weights(loaded, second if overwritten else first)


def test_full_model_h5_file_is_read_from_its_model_weights_group(tmp_path):
    source = mlp()
    with h5py.File(tmp_path / "m.h5", "w") as f:
        f.attrs["model_config"] = "{}"
        hdf5_format.save_weights_to_hdf5_group(f.create_group("model_weights"), source)
    target = mlp()
    target.load_weights(tmp_path / "m.h5")
    _assert_same_weights(source, target)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"save_format": "tf", "filepath": "w.h5"}, ValueError, "looks like an HDF5"),
        (
            {"save_format": "bogus"},
            ValueError,
            "Unknown format. Received: `save_format`",
        ),
    ],
)
def test_save_errors(tmp_path, kwargs, error, message):
    filepath = tmp_path / kwargs.pop("filepath", "w")
    with pytest.raises(error, match=message):
        mlp().save_weights(filepath, **kwargs)


def test_load_errors(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "ckpt")
    with pytest.raises(ValueError, match="skip_mismatch can only be set to True when"):
        model.load_weights(tmp_path / "ckpt", skip_mismatch=True)
    with pytest.raises(NotImplementedError, match="got by_name=True"):
        model.load_weights(tmp_path / "ckpt", by_name=True)
    with pytest.raises(tf.errors.NotFoundError, match="No weights found at"):
        model.load_weights(tmp_path / "missing")
    (tmp_path / "other.h5").write_bytes(b"")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f.create_group("something")
    with pytest.raises(ValueError, match="is not a Keras weights file"):
        model.load_weights(tmp_path / "other.h5")


def test_unbuilt_model_errors():
    unbuilt = kengine.Sequential([kengine.layers.Dense(2)])
    with pytest.raises(ValueError, match="have not yet been created"):
        weights.save_weights(unbuilt, "never.h5")
    with pytest.raises(ValueError, match="Unable to load weights saved in HDF5"):
        unbuilt.load_weights(path("saving", "mlp.h5"))


def test_detect_save_format(tmp_path):
    mlp().save_weights(tmp_path / "ckpt")
    assert weights.detect_save_format(tmp_path / "ckpt") == (
        str(tmp_path / "ckpt"),
        "tf",
    )
    assert weights.detect_save_format("x.keras") == ("x.keras", "h5")


# --- Saves killed at random moments -----------------------------------------

KILLS = 24
KILL_SEED = 20240611
TF_LAYOUT = ["checkpoint", "ckpt.data-00000-of-00001", "ckpt.index"]
ROOT = Path(__file__).resolve().parents[2]


def _reply(zygote, timeout: float = 120.0) -> str:
    ready, _, _ = select.select([zygote.stdout], [], [], timeout)
    assert ready, "the saving process did not answer in time"
    return zygote.stdout.readline().strip()


def _generation(model) -> int:
    """The generation every weight of `model` holds (they all hold the same)."""
    values = np.concatenate([w.ravel() for w in model.get_weights()])
    assert (values == values[0]).all(), values
    return int(values[0])


def _last_logged(log: str) -> dict:
    last = {}
    for line in log.splitlines():
        kind, _, value = line.partition(" ")
        if kind in _kill_saver.KINDS:
            last[kind] = int(value)
    return last


def _loaded_generations(directory: Path) -> dict:
    model = _kill_saver.build_model()
    loaded = {}
    # The saver's model has an optimizer, this one none: partial restores.
    model.load_weights(directory / "tf" / "ckpt").expect_partial()
    loaded["tf"] = _generation(model)
    # What TensorFlow's own pointer names is complete as well.
    model.load_weights(tf.train.latest_checkpoint(directory / "tf")).expect_partial()
    loaded["tf_latest"] = _generation(model)
    model.load_weights(directory / "mc" / "ckpt").expect_partial()
    loaded["mc"] = _generation(model)
    model.load_weights(directory / "h5" / "w.h5")
    loaded["h5"] = _generation(model)
    state = TrainingState(model, str(directory / "backup"), batch_level=False)
    assert state.restore()
    loaded["backup"] = _generation(model)
    assert loaded["backup"] == state.counters.epoch + 1  # weights and counters match
    return loaded


def _check_after_kill(directory: Path, kill: int) -> None:
    log = (directory / "log").read_text()
    ready = [line for line in log.splitlines() if line.startswith("ready ")]
    # The killed saver's first saves removed its predecessor's temporaries.
    assert json.loads(ready[-1][len("ready ") :]) == {
        "mc": TF_LAYOUT,
        "backup/chief": TF_LAYOUT,
        "tf": TF_LAYOUT,
        "h5": ["w.h5"],
    }, f"kill #{kill}"
    last = _last_logged(log)
    for kind, generation in _loaded_generations(directory).items():
        completed = last[kind.split("_")[0]]
        assert generation in (completed, completed + 1), (kill, kind, last)


@pytest.mark.skipif(os.name != "posix", reason="forks and SIGKILLs")
def test_saves_killed_at_random_moments_leave_the_previous_save(tmp_path):
    # One process forks savers (TF-format and HDF5 save_weights, ModelCheckpoint
    # and BackupAndRestore inside fit) and SIGKILLs each after a random delay.
    # After each kill every save loads, holding the generation of the last save
    # that returned or of the one the kill interrupted; the next saver's first
    # saves remove every temporary and leave tf_keras's files only.
    rng = random.Random(KILL_SEED)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-m", "tests.saving._kill_saver", str(tmp_path)]
    with (
        open(tmp_path / "stderr", "wb") as stderr,
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as zygote,
    ):
        try:
            for kill in range(KILLS):
                zygote.stdin.write(f"{rng.uniform(0.0, 0.4)}\n")
                zygote.stdin.flush()
                answer = _reply(zygote)
                log = (tmp_path / "log").read_text()
                assert answer == "killed", f"{answer}\n{log[-3000:]}"
                _check_after_kill(tmp_path, kill)
        finally:
            zygote.kill()  # a saver left running exits when it sees it orphaned
