"""tf_checkpoint: every interruption point of a save leaves a readable checkpoint.

A kill is simulated by making one step of `write_checkpoint` raise: the
steps before it stay on disk exactly as a kill would leave them (the only
cleanup on an error removes an uncommitted fresh prefix, which a kill leaves
for the next save to remove). Real SIGKILLs at random moments are in
`test_weights.py`.
"""

import os

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine.saving import atomic_io, tf_checkpoint
from tests.saving._models import mlp

LAYOUT = ["checkpoint", "ckpt.data-00000-of-00001", "ckpt.index"]
DEAD_PID = 2**22 + 1  # above Linux's (and macOS's) largest pid: never running


class Killed(Exception):
    pass


def _fill(model, value: float):
    model.set_weights([np.full(w.shape, value, np.float32) for w in model.weights])
    return model


def _value(model) -> float:
    values = np.concatenate([w.ravel() for w in model.get_weights()])
    assert (values == values[0]).all()
    return float(values[0])


def _kill_at(monkeypatch, step: str) -> None:
    """Makes `write_checkpoint` stop at `step`, as a kill there would."""
    calls = {"link": 0, "text": 0}
    link, write_text = atomic_io.link_or_copy, atomic_io.write_text

    def counted_link(source, target, **kwargs):
        calls["link"] += 1
        if (step, calls["link"]) in (("index", 1), ("data", 2)):
            raise Killed(step)
        link(source, target, **kwargs)

    def counted_text(path, text):
        calls["text"] += 1
        if (step, calls["text"]) in (("commit", 1), ("pointer back", 2)):
            raise Killed(step)
        write_text(path, text)

    monkeypatch.setattr(atomic_io, "link_or_copy", counted_link)
    monkeypatch.setattr(atomic_io, "write_text", counted_text)


# Each step, and the values a reader finds after a kill there: the previous
# save (1.0) until the commit, the new one (2.0) after it; `<B>` itself lags
# until its index is published.
STEPS = {
    "commit": (1.0, 1.0),
    "index": (2.0, 1.0),
    "data": (2.0, 2.0),
    "pointer back": (2.0, 2.0),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_a_save_interrupted_at_each_step_leaves_a_readable_save(
    tmp_path, monkeypatch, step
):
    prefix = str(tmp_path / "ckpt")
    model = _fill(mlp(), 1.0)
    model.save_weights(prefix)
    _fill(model, 2.0)
    with monkeypatch.context() as patch:
        _kill_at(patch, step)
        with pytest.raises(Killed):
            model.save_weights(prefix)
    latest_value, loaded_value = STEPS[step]
    reader = mlp()
    reader.load_weights(tf.train.latest_checkpoint(str(tmp_path)))
    assert _value(reader) == latest_value
    reader.load_weights(prefix)  # through the pointer: never a torn pair
    assert _value(reader) == loaded_value
    # The next save finishes or discards the interrupted one: tf_keras's files.
    _fill(model, 3.0)
    model.save_weights(prefix)
    assert sorted(os.listdir(tmp_path)) == LAYOUT
    reader.load_weights(prefix)
    assert _value(reader) == 3.0


def test_a_torn_prefix_is_read_through_the_pointer(tmp_path, monkeypatch):
    prefix = str(tmp_path / "ckpt")
    model = _fill(mlp(), 1.0)
    model.save_weights(prefix)
    with monkeypatch.context() as patch:
        _kill_at(patch, "data")  # new index beside old data
        with pytest.raises(Killed):
            _fill(model, 2.0).save_weights(prefix)
    fresh = tf_checkpoint.resolve_prefix(prefix)
    assert fresh != prefix and os.path.basename(fresh) == "ckpt"
    assert atomic_io.is_temporary_name(os.path.basename(os.path.dirname(fresh)))
    reader = mlp()
    reader.load_weights(prefix)
    assert _value(reader) == 2.0
    # A later load finishes nothing (loads never write); the next save does.
    assert tf_checkpoint.finish_interrupted_save(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == LAYOUT
    assert tf_checkpoint.resolve_prefix(prefix) == prefix


def test_a_newer_file_written_by_other_code_wins_over_the_pointer(
    tmp_path, monkeypatch
):
    prefix = str(tmp_path / "ckpt")
    model = _fill(mlp(), 1.0)
    model.save_weights(prefix)
    with monkeypatch.context() as patch:
        _kill_at(patch, "pointer back")
        with pytest.raises(Killed):
            _fill(model, 2.0).save_weights(prefix)
    # Plain TensorFlow rewrites the prefix without touching `checkpoint`.
    tf.train.Checkpoint(root=_fill(model, 4.0)).write(prefix)
    assert tf_checkpoint.resolve_prefix(prefix) == prefix
    reader = mlp()
    reader.load_weights(prefix)
    assert _value(reader) == 4.0


def test_stale_writes_of_killed_processes_are_removed(tmp_path):
    dead = DEAD_PID
    (tmp_path / f"ckpt.kengine-tmp-{dead}-0123abcd").mkdir()
    (tmp_path / f"ckpt.index.kengine-tmp-{dead}-0123abcd").write_text("x")
    (tmp_path / f"checkpoint.kengine-tmp-{dead}-0123abcd").write_text("x")
    (tmp_path / ".tmp-0123456789ab-ckpt").mkdir()  # kengine's earlier naming
    (tmp_path / f"other.kengine-tmp-{dead}-0123abcd").mkdir()  # not this target
    mlp().save_weights(tmp_path / "ckpt")
    assert sorted(os.listdir(tmp_path)) == LAYOUT + [
        f"other.kengine-tmp-{dead}-0123abcd"
    ]


def test_no_second_copy_remains(tmp_path):
    mlp().save_weights(tmp_path / "ckpt")
    # The published files were hard links of the fresh ones, now deleted.
    assert os.stat(tmp_path / "ckpt.index").st_nlink == 1
    assert os.stat(tmp_path / "ckpt.data-00000-of-00001").st_nlink == 1


def test_pointer_names_with_quotes_round_trip(tmp_path):
    name = 'we"ird\\name'
    (tmp_path / "checkpoint").write_text(tf_checkpoint._pointer_text(name))
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == str(tmp_path / name)


def test_mismatched_layer_raises_before_any_weight_changes(tmp_path):
    mlp().save_weights(tmp_path / "ckpt")
    wider = kengine.Sequential(
        [
            kengine.Input((4,)),
            kengine.layers.Dense(3, name="first"),
            kengine.layers.Dense(5, name="last"),
        ]
    )
    before = wider.get_weights()
    with pytest.raises(ValueError) as error:
        wider.load_weights(tmp_path / "ckpt")
    message = str(error.value)
    assert (
        f"Cannot load the TensorFlow checkpoint {str(tmp_path / 'ckpt')!r}" in message
    )
    assert (
        "layer 'last', weight 'last/kernel:0' (checkpoint key "
        "'layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE'): the model expects "
        "shape "
        "(3, 5) and dtype float32, the checkpoint holds shape (3, 2) and dtype "
        "float32" in message
    )
    assert "2 weight(s) do not fit the model, so no weight was changed" in message
    for a, b in zip(before, wider.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # `first` was not overwritten


def test_mismatched_dtype_raises(tmp_path):
    saved = tf.Variable(np.ones((2,), np.float64))
    tf.train.Checkpoint(v=saved).write(str(tmp_path / "ckpt"))
    live = tf.train.Checkpoint(v=tf.Variable(np.zeros((2,), np.float32)))
    message = r"dtype float32, the checkpoint holds shape \(2,\) and dtype float64"
    with pytest.raises(ValueError, match=message):
        tf_checkpoint.check_checkpoint_fits(live, str(tmp_path / "ckpt"))
    np.testing.assert_array_equal(live.v.numpy(), [0.0, 0.0])


def test_variables_not_created_yet_are_not_checked(tmp_path):
    source = mlp()
    source.save_weights(tmp_path / "ckpt")
    unbuilt = kengine.Sequential([kengine.layers.Dense(3), kengine.layers.Dense(2)])
    tf_checkpoint.check_checkpoint_fits(unbuilt, str(tmp_path / "ckpt"))
