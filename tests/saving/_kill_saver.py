"""A process that saves weights in a loop, forked again and again to be SIGKILLed.

`tests/saving/test_weights.py` runs `python -m tests.saving._kill_saver <dir>`.
This process (the zygote) imports TensorFlow once, which takes seconds, then
for each line `<delay>` it reads on stdin forks a saver, waits until the
saver has saved everything once, sleeps `delay` seconds, SIGKILLs it, reaps
it and answers `killed` on stdout (or `died <log>` if the saver ended on its
own). Forking is safe because the TensorFlow runtime starts in the saver,
never in the zygote.

The saver runs `fit` (learning rate 0, so training changes nothing) with
these callbacks at each epoch end, in order: every weight is set to the
epoch's generation (epoch + 1); `ModelCheckpoint` saves a TF checkpoint to
`mc/ckpt`; `BackupAndRestore` backs up to `backup/`; `save_weights` writes
`tf/ckpt` and `h5/w.h5`. After each save returns it appends `<kind>
<generation>` to `<dir>/log`, so the test knows the last completed save of
each kind when the kill came. A restarted saver resumes from the backup, as
a preempted job would. After its first epoch the saver appends `ready` and
the files it finds in the save directories, which the test checks for
temporaries left by the previous, killed saver.
"""

import json
import os
import signal
import sys
import time
import traceback

import numpy as np

import kengine
from kengine.callbacks.backup_and_restore import BackupAndRestore
from kengine.callbacks.callback import Callback
from kengine.callbacks.model_checkpoint import ModelCheckpoint

KINDS = ("mc", "backup", "tf", "h5")


def build_model():
    """The model the saver saves and the test loads into."""
    return kengine.Sequential(
        [kengine.Input((4,)), kengine.layers.Dense(3), kengine.layers.Dense(2)]
    )


def generation_weights(model, generation: int) -> list:
    return [np.full(w.shape, generation, np.float32) for w in model.weights]


def listing(directory: str) -> dict:
    """Every save directory's files, relative to `directory`."""
    found = {}
    for kind in ("mc", "backup/chief", "tf", "h5"):
        path = os.path.join(directory, kind)
        found[kind] = sorted(os.listdir(path)) if os.path.isdir(path) else []
    return found


class _Log:
    def __init__(self, path: str):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    def write(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())  # one write: no torn lines


class _Generation(Callback):
    def __init__(self):
        super().__init__()
        self.parent = os.getppid()

    def on_epoch_end(self, epoch, logs=None):
        if os.getppid() != self.parent:  # the zygote is gone: so is the test
            os._exit(1)
        self.model.set_weights(generation_weights(self.model, epoch + 1))


class _Logged(Callback):
    def __init__(self, log: _Log, kind: str):
        super().__init__()
        self.log, self.kind = log, kind

    def on_epoch_end(self, epoch, logs=None):
        self.log.write(f"{self.kind} {epoch + 1}")


class _SaveWeights(Callback):
    def __init__(self, log: _Log, directory: str):
        super().__init__()
        self.log, self.directory = log, directory

    def on_epoch_end(self, epoch, logs=None):
        self.model.save_weights(os.path.join(self.directory, "tf", "ckpt"))
        self.log.write(f"tf {epoch + 1}")
        self.model.save_weights(os.path.join(self.directory, "h5", "w.h5"))
        self.log.write(f"h5 {epoch + 1}")


class _Ready(Callback):
    def __init__(self, log: _Log, directory: str, ready_fd: int):
        super().__init__()
        self.log, self.directory, self.ready_fd = log, directory, ready_fd

    def on_epoch_end(self, epoch, logs=None):
        if self.ready_fd is not None:
            self.log.write("ready " + json.dumps(listing(self.directory)))
            os.write(self.ready_fd, b"r")
            os.close(self.ready_fd)
            self.ready_fd = None


def save_forever(directory: str, ready_fd: int) -> None:
    """The saver: a `fit` that saves every epoch until it is killed."""
    log = _Log(os.path.join(directory, "log"))
    model = build_model()
    # Eager steps: no trace to build, so each forked saver starts saving sooner.
    model.compile(kengine.optimizers.SGD(0.0), "mse", run_eagerly=True)
    os.makedirs(os.path.join(directory, "h5"), exist_ok=True)
    callbacks = [
        _Generation(),
        ModelCheckpoint(os.path.join(directory, "mc", "ckpt"), save_weights_only=True),
        _Logged(log, "mc"),
        BackupAndRestore(os.path.join(directory, "backup")),
        _Logged(log, "backup"),
        _SaveWeights(log, directory),
        _Ready(log, directory, ready_fd),
    ]
    x, y = np.ones((4, 4), np.float32), np.zeros((4, 2), np.float32)
    model.fit(x, y, batch_size=4, epochs=10**6, verbose=0, callbacks=callbacks)


def _fork_saver(directory: str) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            save_forever(directory, write_fd)
        except BaseException:
            _Log(os.path.join(directory, "log")).write(traceback.format_exc())
        os._exit(1)
    os.close(write_fd)
    return pid, read_fd


def _run_once(directory: str, delay: float) -> str:
    pid, read_fd = _fork_saver(directory)
    with os.fdopen(read_fd, "rb") as ready:
        started = ready.read(1) == b"r"
    if started:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if started and os.WIFSIGNALED(status):
        return "killed"
    return f"died with status {status}"


def main(directory: str) -> None:
    for line in sys.stdin:
        print(_run_once(directory, float(line)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
