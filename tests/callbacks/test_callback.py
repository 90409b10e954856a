"""Callback: the hook set, the Keras 1 aliases and override detection."""

import pytest

from kengine.callbacks.callback import Callback

HOOKS_WITH_INDEX = [
    "on_batch_begin",
    "on_batch_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
]
HOOKS_WITHOUT_INDEX = [
    "on_train_begin",
    "on_train_end",
    "on_test_begin",
    "on_test_end",
    "on_predict_begin",
    "on_predict_end",
]


@pytest.mark.parametrize("hook", HOOKS_WITH_INDEX)
def test_indexed_hooks_exist_and_do_nothing(hook):
    assert getattr(Callback(), hook)(0, {"loss": 1.0}) is None


@pytest.mark.parametrize("hook", HOOKS_WITHOUT_INDEX)
def test_begin_end_hooks_exist_and_do_nothing(hook):
    assert getattr(Callback(), hook)({"loss": 1.0}) is None


def test_set_model_and_set_params_store_them():
    cb = Callback()
    model = object()
    cb.set_model(model)
    cb.set_params({"epochs": 2, "steps": 3, "verbose": 0})
    assert cb.model is model
    assert cb.params == {"epochs": 2, "steps": 3, "verbose": 0}
    assert cb._supports_tf_logs is False


def test_train_batch_hooks_forward_to_keras1_aliases():
    calls = []

    class Old(Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch, logs))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, logs))

    cb = Old()
    cb.on_train_batch_begin(4, {"a": 1})
    cb.on_train_batch_end(4, {"b": 2})
    assert calls == [("begin", 4, {"a": 1}), ("end", 4, {"b": 2})]
    assert cb._implements_train_batch_hooks()


@pytest.mark.parametrize(
    "hook, train, test, predict",
    [
        ("on_batch_end", True, False, False),
        ("on_train_batch_begin", True, False, False),
        ("on_test_batch_end", False, True, False),
        ("on_predict_batch_begin", False, False, True),
        ("on_epoch_end", False, False, False),
    ],
)
def test_override_detection(hook, train, test, predict):
    cls = type("Custom", (Callback,), {hook: lambda self, i, logs=None: None})
    cb = cls()
    assert cb._implements_train_batch_hooks() is train
    assert cb._implements_test_batch_hooks() is test
    assert cb._implements_predict_batch_hooks() is predict


def test_base_callback_implements_no_batch_hooks():
    cb = Callback()
    assert not cb._implements_train_batch_hooks()
    assert not cb._implements_test_batch_hooks()
    assert not cb._implements_predict_batch_hooks()


# --------------------------------------------------------------- with Model.fit
class Recorder(Callback):
    """Records (hook, epoch or batch, sorted log keys) for every hook."""

    def __init__(self):
        super().__init__()
        self.calls, self.values, self.params_seen = [], {}, []

    def set_params(self, params):
        super().set_params(params)
        self.params_seen.append(dict(params))

    def _record(self, name, index, logs):
        self.calls.append([name, index, sorted((logs or {}).keys())])
        if name in ("on_epoch_end", "on_test_end", "on_train_end"):
            self.values[f"{name}_{len(self.calls)}"] = {
                k: float(v) for k, v in (logs or {}).items()
            }


def _recording_hook(name, indexed):
    if indexed:
        return lambda self, index, logs=None: self._record(name, index, logs)
    return lambda self, logs=None: self._record(name, None, logs)


for _mode in ("train", "test", "predict"):
    for _hook, _indexed in (("begin", False), ("end", False)):
        _name = f"on_{_mode}_{_hook}"
        setattr(Recorder, _name, _recording_hook(_name, _indexed))
    for _hook in ("begin", "end"):
        _name = f"on_{_mode}_batch_{_hook}"
        setattr(Recorder, _name, _recording_hook(_name, True))
for _name in ("on_epoch_begin", "on_epoch_end"):
    setattr(Recorder, _name, _recording_hook(_name, True))


class AliasRecorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_batch_begin(self, batch, logs=None):
        self.calls.append(["on_batch_begin", batch, sorted((logs or {}).keys())])

    def on_batch_end(self, batch, logs=None):
        self.calls.append(["on_batch_end", batch, sorted((logs or {}).keys())])


def _assert_close(actual: dict, expected: dict):
    assert actual.keys() == expected.keys()
    for key in expected:
        assert actual[key] == pytest.approx(expected[key], rel=1e-5), key


def test_hook_calls_of_fit_evaluate_predict_match_tf_keras():
    from tests.callbacks import _fit_case
    from tests.goldens import load_json

    golden = load_json("callbacks", "hooks.json")
    x, y, xv, yv = _fit_case.data()
    model = _fit_case.model()
    rec, alias = Recorder(), AliasRecorder()
    history = _fit_case.fit(model, [rec, alias], epochs=2)
    assert rec.calls == golden["fit"]
    assert alias.calls == golden["alias"]
    assert history.params == golden["history_params"]
    assert history.epoch == golden["history_epoch"]
    for key, values in golden["history"].items():
        assert history.history[key] == pytest.approx(values, rel=1e-5), key
    for key, values in golden["fit_values"].items():
        _assert_close(rec.values[key], values)
    rec.calls = []
    logs = model.evaluate(
        xv, yv, batch_size=4, verbose=0, callbacks=[rec], return_dict=True
    )
    assert rec.calls == golden["evaluate"]
    _assert_close(logs, golden["evaluate_logs"])
    rec.calls = []
    model.predict(xv, batch_size=3, verbose=0, callbacks=[rec])
    assert rec.calls == golden["predict"]
    assert rec.params_seen == golden["params"]
