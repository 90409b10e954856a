"""`python -m kengine.demo`: train a small CNN on the bundled 8x8 digits, end to end.

The demo walks the whole engine once, the way a user's first script would: load the
data (`kengine.datasets.digits`, bundled, no download), build a Sequential CNN,
print `summary()`, `compile` and `fit` it with the progress bar, then `evaluate` on
the held-out images and print the test accuracy. It reaches 95% or more in well
under a minute on two CPU cores.

With `--strategy mirrored --devices N` the same script trains under
`tf.distribute.MirroredStrategy` on N devices: the GPUs present, or, on a machine
without GPUs, N logical CPUs carved out of the one physical CPU. That split must
happen before TensorFlow initialises its runtime, so `main` does it first thing;
when the runtime is already up (the demo called from a test) the existing logical
devices are used.

There is no Keras 2 counterpart; the model follows the Keras examples' "simple
MNIST convnet", scaled to 8x8 images.
"""

import argparse
import sys
import time

import numpy as np
import tensorflow as tf

import kengine
from kengine.datasets import digits

__all__ = ["build_model", "main", "run"]


def build_model(keras=None):
    """The demo's CNN for 8x8x1 images and 10 classes.

    Args:
        keras: the Keras module to build with (default: kengine).

    Returns:
        An uncompiled `Sequential` model.
    """
    if keras is None:
        keras = kengine
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.Conv2D(32, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu", padding="same"),
            layers.Flatten(),
            layers.Dropout(0.25),
            layers.Dense(10, activation="softmax"),
        ],
        name="digits_cnn",
    )


def _parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kengine.demo",
        description="Train a small CNN on the bundled 8x8 digits with kengine.",
    )
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument(
        "--strategy", choices=["default", "mirrored"], default="default"
    )
    parser.add_argument(
        "--devices",
        type=int,
        default=2,
        help="devices for --strategy mirrored (GPUs, else logical CPUs)",
    )
    parser.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size", "devices"):
        if getattr(args, name) < 1:
            parser.error(
                f"--{name.replace('_', '-')} must be a positive integer. "
                f"Received: {getattr(args, name)}"
            )
    return args


def _mirrored_devices(count: int) -> list[str]:
    """Names of `count` devices for MirroredStrategy: GPUs, else logical CPUs.

    Raises:
        ValueError: when the runtime is already initialised with fewer devices.
    """
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        if len(gpus) < count:
            raise ValueError(f"Asked for --devices {count}, found {len(gpus)} GPU(s).")
        return [f"/gpu:{i}" for i in range(count)]
    cpus = tf.config.list_physical_devices("CPU")
    try:
        # Only possible before the runtime starts; afterwards the split is fixed.
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
        )
    except RuntimeError:
        pass
    logical = tf.config.list_logical_devices("CPU")
    if len(logical) < count:
        raise ValueError(
            f"Asked for --devices {count}, but TensorFlow was already initialised with "
            f"{len(logical)} logical CPU(s); run the demo in a fresh process."
        )
    return [f"/cpu:{i}" for i in range(count)]


def _load_digits():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    # 0..16 pixel counts -> [0, 1], with a channel axis for Conv2D.
    x_train = (x_train.astype("float32") / 16.0)[..., None]
    x_test = (x_test.astype("float32") / 16.0)[..., None]
    return (x_train, y_train), (x_test, y_test)


def run(args: argparse.Namespace) -> dict:
    """Trains and evaluates the demo model; returns the numbers it printed.

    Returns:
        `{"history": History.history, "test_loss": float, "test_accuracy": float,
        "seconds": float}`.
    """
    keras = kengine
    strategy = tf.distribute.get_strategy()
    if args.strategy == "mirrored":
        devices = _mirrored_devices(args.devices)
        strategy = tf.distribute.MirroredStrategy(devices)
        print(f"MirroredStrategy on {strategy.num_replicas_in_sync} devices: {devices}")
    # Seeds the weight initializers, dropout masks and the per-epoch shuffle.
    np.random.seed(args.seed)
    tf.random.set_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = _load_digits()
    print(f"{len(x_train)} training and {len(x_test)} test images of 8x8 digits")
    start = time.perf_counter()
    with strategy.scope():
        model = build_model(keras)
        model.compile(
            keras.optimizers.Adam(args.learning_rate),
            "sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
    model.summary()
    history = model.fit(
        x_train,
        y_train,
        batch_size=args.batch_size,
        epochs=args.epochs,
        validation_split=0.1,
        verbose=args.verbose,
    )
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    seconds = time.perf_counter() - start
    print(f"Test loss: {test_loss:.4f}")
    print(f"Test accuracy: {test_accuracy:.4f}")
    print(f"Trained and evaluated in {seconds:.1f} s")
    return {
        "history": history.history,
        "test_loss": test_loss,
        "test_accuracy": test_accuracy,
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    run(_parse(sys.argv[1:] if argv is None else argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
