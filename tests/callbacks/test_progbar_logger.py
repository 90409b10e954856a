"""ProgbarLogger: the output tf_keras prints for scripted fit/evaluate/predict hooks."""

import contextlib
import io
import re
from unittest import mock

import numpy as np
import pytest
import tensorflow as tf

from kengine.callbacks.progbar_logger import ProgbarLogger
from kengine.engine.step_functions import StepCounters
from tests.goldens import load_json

CASES = load_json("callbacks", "progbar_logger.json")


class TickClock:
    """A time.time() advancing 0.25 s per reading (as in the golden generator)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        self.now += 0.25
        return self.now


class Metric:
    def __init__(self, name):
        self.name = name


class Model:
    def __init__(self, counter=None):
        self.metrics = [Metric("loss"), Metric("mae")]
        self._step_counters = None
        if counter is not None:
            self._step_counters = StepCounters(
                *(tf.Variable(counter, dtype=tf.int64) for _ in range(3))
            )


def drive(logger, scenario):
    if scenario in ("fit", "fit_unknown"):
        logger.on_train_begin()
        for epoch in range(2):
            logger.on_epoch_begin(epoch)
            for batch in range(3):
                logs = {"loss": 1.0 / (batch + 1 + epoch), "mae": 0.5 + batch}
                logger.on_train_batch_end(batch, logs)
            logger.on_test_begin()  # validation inside fit: silent
            logger.on_test_batch_end(0, {"loss": 9.0})
            logger.on_test_end({"loss": 9.0})
            epoch_logs = {"loss": 0.5 - epoch * 0.1, "mae": 0.25}
            logger.on_epoch_end(
                epoch, {**epoch_logs, "val_loss": 0.75, "val_mae": 0.001}
            )
        logger.on_train_end()
    elif scenario == "evaluate":
        logger.on_test_begin()
        for batch in range(2):
            logger.on_test_batch_end(batch, {"loss": 2.0 + batch, "mae": 1.0})
        logger.on_test_end({"loss": 2.5, "mae": 1.0})
    else:
        logger.on_predict_begin()
        for batch in range(4):
            logger.on_predict_batch_end(batch, {"outputs": np.zeros((2, 1))})
        logger.on_predict_end()


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_matches_tf_keras(case):
    spec = CASES[case]
    out = io.StringIO()
    with mock.patch("time.time", TickClock()), contextlib.redirect_stdout(out):
        logger = ProgbarLogger(count_mode="steps")
        logger.set_model(Model(spec["counter"]))
        epochs = 2 if spec["scenario"].startswith("fit") else 1
        logger.set_params(
            {"verbose": spec["verbose"], "epochs": epochs, "steps": spec["steps"]}
        )
        drive(logger, spec["scenario"])
    assert out.getvalue() == spec["output"]
    assert logger._implements_train_batch_hooks() is spec["batch_hooks"]


def test_auto_verbosity_is_resolved_from_the_terminal():
    logger = ProgbarLogger()
    logger.set_model(Model())
    with mock.patch("sys.stdout", io.StringIO()):  # not a terminal
        logger.set_params({"verbose": "auto", "epochs": 1, "steps": 2})
    assert logger.verbose == 2 and not logger._implements_train_batch_hooks()


def test_bad_count_mode_is_refused():
    with pytest.raises(ValueError, match="Unknown `count_mode`: bogus"):
        ProgbarLogger(count_mode="bogus")


def test_fit_verbose_2_prints_one_line_per_epoch(capsys):
    from tests.callbacks import _fit_case

    model = _fit_case.model()
    x, y, xv, yv = _fit_case.data()
    model.fit(
        x, y, batch_size=4, epochs=2, shuffle=False, verbose=2, validation_data=(xv, yv)
    )
    out = capsys.readouterr().out
    timing = r"\d+m?s/epoch - \d+[mu]?s/step"
    pattern = (
        r"Epoch 1/2\n3/3 - \d+s - loss: 0\.5634 - mae: 0\.6632 - val_loss: 0\.5480 "
        rf"- val_mae: 0\.6728 - {timing}\n"
        r"Epoch 2/2\n3/3 - \d+s - loss: 0\.5510 - mae: 0\.6447 - val_loss: 0\.5515 "
        rf"- val_mae: 0\.6728 - {timing}\n"
    )
    assert re.fullmatch(pattern, out), out
