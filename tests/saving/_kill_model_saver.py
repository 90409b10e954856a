"""A process that saves whole models in a loop, forked again and again to be SIGKILLed.

`tests/saving/test_saving_api.py` runs `python -m tests.saving._kill_model_saver
<dir>`, the same zygote scheme as `_kill_saver.py`: this process imports
TensorFlow once, then for each `<delay>` line on stdin forks a saver, waits
until it has saved every format once, sleeps `delay` seconds, SIGKILLs it and
answers `killed`. The saver sets every weight to its generation (1, 2, ...)
and writes `m.h5`, `m.keras` and the SavedModel `sm/` through
`saving_api.save_model`, appending `<format> <generation>` to `<dir>/log`
after each save returns. The first generation continues from the last one
the log records, so generations only grow.
"""

import os
import signal
import sys
import time
import traceback

import numpy as np

import kengine
from kengine.saving import saving_api

TARGETS = {"h5": "m.h5", "keras": "m.keras", "tf": "sm"}


def build_model():
    model = kengine.Sequential(
        [kengine.Input((3,), name="x"), kengine.layers.Dense(2, name="out")]
    )
    model.compile(kengine.optimizers.SGD(0.1), "mse")
    return model


def generation_of(model) -> int:
    """The generation the weights hold (every weight holds the same value)."""
    values = {float(v) for w in model.get_weights() for v in np.ravel(w)}
    assert len(values) == 1, values
    return int(values.pop())


def _last_generation(log_path: str) -> int:
    if not os.path.exists(log_path):
        return 0
    with open(log_path) as f:
        numbers = [int(line.split()[1]) for line in f if line.split()[0] in TARGETS]
    return max(numbers, default=0)


def save_forever(directory: str, ready_fd: int) -> None:
    log_path = os.path.join(directory, "log")
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    model = build_model()
    generation = _last_generation(log_path)
    parent = os.getppid()
    while os.getppid() == parent:
        generation += 1
        model.set_weights([np.full(w.shape, generation, "f4") for w in model.weights])
        for fmt, name in TARGETS.items():
            saving_api.save_model(model, os.path.join(directory, name))
            os.write(log, f"{fmt} {generation}\n".encode())
        if ready_fd is not None:
            os.write(ready_fd, b"r")
            os.close(ready_fd)
            ready_fd = None


def _run_once(directory: str, delay: float) -> str:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            save_forever(directory, write_fd)
        except BaseException:
            with open(os.path.join(directory, "errors"), "a") as f:
                f.write(traceback.format_exc())
        os._exit(1)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as ready:
        started = ready.read(1) == b"r"
    if started:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return "killed" if started and os.WIFSIGNALED(status) else f"died {status}"


def main(directory: str) -> None:
    for line in sys.stdin:
        print(_run_once(directory, float(line)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
