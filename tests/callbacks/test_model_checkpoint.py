"""ModelCheckpoint: file names, best-only logic and atomic saves, as tf_keras.

The golden cases were recorded from tf_keras with `val_loss` scripted per
epoch (0.5, 0.4, 0.45, 0.3); the same curve drives `drive_fit` here. Files are
compared by name, and each file's weights by the epoch they come from.
"""

import logging
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from kengine.callbacks.callback import Callback
from kengine.callbacks.model_checkpoint import ModelCheckpoint
from kengine.saving import atomic_io, saving_api
from tests.callbacks._fakes import FakeModel, drive_fit
from tests.goldens import load_json

CASES = load_json("callbacks", "model_checkpoint.json")
ERRORS = load_json("callbacks", "errors.json")
CURVE = [0.5, 0.4, 0.45, 0.3]
# Cases whose names or files need a real fit: the batch loss, `model.save`.
FIT_ONLY = {"batch_freq_loss", "full_model_h5"}
ROOT = Path(__file__).resolve().parents[2]


class Snapshots(Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def _file_epoch(path: Path, snapshots) -> int | None:
    model = FakeModel()
    target = str(path)[: -len(".index")] if path.suffix == ".index" else str(path)
    model.load_weights(target)
    for epoch, snap in enumerate(snapshots):
        if all(np.array_equal(a, b) for a, b in zip(model.get_weights(), snap)):
            return epoch
    return None


@pytest.mark.parametrize("case", sorted(set(CASES) - FIT_ONLY))
def test_files_and_weights_match_tf_keras(case, tmp_path, capsys, caplog):
    spec = CASES[case]
    mc = ModelCheckpoint(str(tmp_path / spec["pattern"]), **spec["kwargs"])
    snaps = Snapshots()
    with caplog.at_level(logging.WARNING, logger="kengine"):
        drive_fit(
            FakeModel(),
            [snaps, mc],
            epochs=4,
            epoch_logs=lambda e: {"loss": 1.0, "val_loss": CURVE[e]},
        )
    files = sorted(
        str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()
    )
    assert files == spec["files"]
    for name, epoch in spec["from_epoch"].items():
        if epoch is not None:
            assert _file_epoch(tmp_path / name, snaps.weights) == epoch, name
    assert mc.best == (np.inf if spec["best"] is None else spec["best"]) or (
        spec["best"] is None and np.isinf(mc.best)
    )
    out = capsys.readouterr().out.replace(str(tmp_path) + os.sep, "<dir>/")
    assert out == spec["stdout"]
    if spec["checkpoint_text"] is not None:
        assert (tmp_path / "checkpoint").read_text() == spec["checkpoint_text"]


def test_missing_monitor_warns_with_available_keys(tmp_path, caplog):
    mc = ModelCheckpoint(str(tmp_path / "w.h5"), save_best_only=True, monitor="val_x")
    with caplog.at_level(logging.WARNING, logger="kengine"):
        drive_fit(FakeModel(), [mc], epochs=1, epoch_logs=lambda e: {"loss": 1.0})
    assert (
        "Can save best model only with val_x available, skipping. Available keys "
        "are: loss" in caplog.text
    )
    assert not list(tmp_path.iterdir())


def test_key_missing_from_logs_names_the_available_keys(tmp_path):
    mc = ModelCheckpoint(str(tmp_path / "w-{val_nope}.h5"), save_weights_only=True)
    with pytest.raises(KeyError, match="Failed to format this callback filepath") as e:
        drive_fit(FakeModel(), [mc], epochs=1, epoch_logs=lambda e: {"loss": 1.0})
    assert "'val_nope' is not available. Available keys: epoch, loss" in e.value.args[0]
    assert ERRORS["mc_unformattable"]["type"] == "KeyError"


@pytest.mark.parametrize("pattern", ["w-{epoch.h5", "w-}.h5", "w-{epoch!z}.h5"])
def test_unparsable_filepath_is_refused_at_construction(pattern):
    with pytest.raises(ValueError, match="Received an invalid value for filepath"):
        ModelCheckpoint(pattern)


def test_bad_format_spec_is_reported_at_the_first_save(tmp_path):
    mc = ModelCheckpoint(str(tmp_path / "w-{epoch:zz}.h5"), save_weights_only=True)
    with pytest.raises(ValueError, match="Failed to format this callback filepath"):
        drive_fit(FakeModel(), [mc], epochs=1)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"save_freq": "bogus"}, ValueError, ERRORS["mc_bad_save_freq"]["message"]),
        ({"save_freq": 0}, ValueError, 'expected "epoch" or a positive integer'),
        ({"save_freq": -3}, ValueError, "Received: save_freq=-3"),
        (
            {"save_weights_only": True, "options": tf.saved_model.SaveOptions()},
            TypeError,
            "If save_weights_only is True, then `options` must be either None or a",
        ),
        (
            {"save_weights_only": False, "options": tf.train.CheckpointOptions()},
            TypeError,
            "If save_weights_only is False, then `options` must be either None or a",
        ),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        ModelCheckpoint("w.h5", **kwargs)


def test_bogus_mode_warns_and_uses_auto(caplog):
    with caplog.at_level(logging.WARNING, logger="kengine"):
        mc = ModelCheckpoint("w.h5", monitor="val_acc", mode="bogus")
    assert "ModelCheckpoint mode bogus is unknown, fallback to auto mode" in caplog.text
    assert mc.best == -np.inf


def test_existing_directory_as_filepath_is_a_clear_error(tmp_path):
    (tmp_path / "w.h5").mkdir()
    mc = ModelCheckpoint(str(tmp_path / "w.h5"), save_weights_only=True)
    with pytest.raises(OSError, match="Please specify a non-directory filepath"):
        drive_fit(FakeModel(), [mc], epochs=1)


_KILLED_SAVE = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
from kengine.callbacks.model_checkpoint import ModelCheckpoint
from kengine.saving import atomic_io, saving_api
from kengine.saving import hdf5_format
from tests.callbacks._fakes import FakeModel

model = FakeModel()
mc = ModelCheckpoint({target!r}, save_weights_only=True)
mc.set_model(model)
mc.on_epoch_end(0, {{}})                       # a complete first save
write = hdf5_format.save_weights_to_hdf5_group

def slow_write(f, m):
    write(f, m)                                 # the data is in the file...
    f.flush()
    open({marker!r}, "w").close()
    time.sleep(120)                             # ...which is killed before closing

hdf5_format.save_weights_to_hdf5_group = slow_write
model.set_weights([w + 1.0 for w in model.get_weights()])
mc.on_epoch_end(1, {{}})
"""


def test_save_killed_midway_leaves_the_previous_file_intact(tmp_path):
    target, marker = tmp_path / "w.h5", tmp_path / "writing"
    script = _KILLED_SAVE.format(root=str(ROOT), target=str(target), marker=str(marker))
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)])
    try:
        deadline = time.time() + 120
        while not marker.exists():
            assert proc.poll() is None, "the saving process died on its own"
            assert time.time() < deadline, "the second save never started"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    loaded = FakeModel()
    loaded.load_weights(str(target))  # intact: the first save's values
    for value, expected in zip(loaded.get_weights(), FakeModel().get_weights()):
        np.testing.assert_array_equal(value, expected)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("w.h5.")]
    # The interrupted write went to a temporary name that says whose it was.
    assert leftovers == [f"w.h5.kengine-tmp-{proc.pid}-{leftovers[0][-11:]}"]
    assert atomic_io.is_temporary_name(leftovers[0])
    # The next save of that path removes it (its process is gone).
    mc = ModelCheckpoint(str(target), save_weights_only=True)
    mc.set_model(loaded)
    mc.on_epoch_end(0, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.h5", "writing"]


class Script(Callback):
    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = CURVE[epoch]


@pytest.mark.parametrize("case", sorted(FIT_ONLY))
def test_fit_writes_the_files_tf_keras_writes(case, tmp_path):
    from tests.callbacks import _fit_case

    spec = CASES[case]
    mc = ModelCheckpoint(str(tmp_path / spec["pattern"]), **spec["kwargs"])
    _fit_case.fit(_fit_case.model(), [Script(), mc], epochs=4)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == spec["files"]  # batch-loss values formatted in the names
    # Without `model.save`, the full-model case saves the weights (a model
    # with `save` is saved with it); either way the file loads.
    model = _fit_case.model()
    model.load_weights(str(tmp_path / files[-1]))


def test_full_model_saves_go_through_a_temporary_name(tmp_path):
    calls = []

    class SavableModel(FakeModel):
        def save(self, filepath, overwrite=True, options=None):
            calls.append((os.path.basename(filepath), options))
            self.save_weights(filepath)

    mc = ModelCheckpoint(str(tmp_path / "m-{epoch}.h5"))
    drive_fit(SavableModel(), [mc], epochs=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-1.h5", "m-2.h5"]
    for (name, options), epoch in zip(calls, [1, 2], strict=True):
        # Same extension (the format follows it), renamed when complete.
        assert re.fullmatch(rf"m-{epoch}\.h5\.kengine-tmp-\d+-[0-9a-f]{{8}}\.h5", name)
        assert isinstance(options, tf.saved_model.SaveOptions)


def test_saved_model_directories_are_swapped_in_whole(tmp_path):
    written = []

    class SavedModelSaver(FakeModel):
        def save(self, filepath, overwrite=True, options=None):
            written.append(os.path.basename(filepath))
            os.mkdir(filepath)
            epoch = len(written)
            (Path(filepath) / "saved_model.pb").write_text(f"epoch {epoch}")

    mc = ModelCheckpoint(str(tmp_path / "model"))  # no extension: a SavedModel
    drive_fit(SavedModelSaver(), [mc], epochs=2)
    assert [atomic_io.is_temporary_name(name) for name in written] == [True, True]
    assert os.listdir(tmp_path) == ["model"]
    assert os.listdir(tmp_path / "model") == ["saved_model.pb"]
    assert (tmp_path / "model" / "saved_model.pb").read_text() == "epoch 2"


def test_load_weights_on_restart_skips_temporaries(tmp_path):
    saved = FakeModel()
    saved.save_weights(str(tmp_path / "e1.h5"))
    # The newest matching name is a killed save's half-written temporary.
    (tmp_path / "e2.h5.kengine-tmp-4194305-0123abcd.h5").write_bytes(b"torn")
    model = FakeModel()
    model.set_weights([w + 1.0 for w in model.get_weights()])
    restart = ModelCheckpoint(
        str(tmp_path / "e{epoch}.h5"),
        save_weights_only=True,
        load_weights_on_restart=True,
    )
    restart.set_model(model)
    restart.on_train_begin()
    for value, expected in zip(model.get_weights(), saved.get_weights()):
        np.testing.assert_array_equal(value, expected)


def test_deprecated_period_and_load_weights_on_restart(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="kengine"):
        mc = ModelCheckpoint(
            str(tmp_path / "e{epoch}.h5"), save_weights_only=True, period=2
        )
    assert "`period` and `load_weights_on_restart` are deprecated" in caplog.text
    drive_fit(FakeModel(), [mc], epochs=4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e2.h5", "e4.h5"]
    saved = FakeModel()
    saved.load_weights(str(tmp_path / "e4.h5"))
    model = FakeModel()
    restart = ModelCheckpoint(
        str(tmp_path / "e{epoch}.h5"),
        save_weights_only=True,
        load_weights_on_restart=True,
    )
    restart.set_model(model)
    restart.on_train_begin()  # loads the newest matching file, e4.h5
    for value, expected in zip(model.get_weights(), saved.get_weights()):
        np.testing.assert_array_equal(value, expected)


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "m_savedmodel"])
def test_whole_model_checkpoint_loads_as_a_model(tmp_path, name):
    # A model without `save` is saved whole through saving_api, in the format
    # its path asks for, and loads back with equal predictions.
    from tests.callbacks import _fit_case

    net = _fit_case.model()
    _fit_case.fit(net, [ModelCheckpoint(str(tmp_path / name))], epochs=1)
    x = _fit_case.data()[0]
    loaded = saving_api.load_model(tmp_path / name)
    np.testing.assert_allclose(loaded(x), net(x), rtol=1e-6)
