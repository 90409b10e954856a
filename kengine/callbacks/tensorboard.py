"""`TensorBoard`: writes training logs that TensorBoard reads.

Mirrors Keras 2's `callbacks.py: TensorBoard`. Events go to two runs,
`<log_dir>/train` and `<log_dir>/validation`:

- train run, step 0: the model config (tag `keras`) and the `train_function`
  graph (`write_graph=True`);
- train run, `batch_<key>` at the train counter after each batch (1, 2, ...),
  every N-th batch, for `update_freq="batch"` (N=1) or an int N;
- train run, `epoch_<key>` at the epoch index (plus `epoch_learning_rate`
  when the optimizer follows a `LearningRateSchedule`);
- validation run, `epoch_<key>` for each `val_<key>`, at the epoch index, and
  `evaluation_<key>_vs_iterations` at `optimizer.iterations` after every
  validation (or `evaluate`);
- train run, `<weight name, ":" as "_">/histogram` (and `/image` with
  `write_images`) every `histogram_freq` epochs, at the epoch index.

For `update_freq != "epoch"` the train writer is the default writer during
`fit`, recording only every N-th step, so summaries a custom `train_step`
writes land in the same run with the same step.

Deliberate differences from tf_keras, both about batch hooks: Keras 2 writes
batch summaries and the `train_function` graph only if some other callback
(typically a `verbose=1` progress bar) makes `fit` call batch hooks, so
`update_freq="batch"` silently writes nothing under `verbose=0`. Here batch
summaries are written whenever `update_freq` asks for them, and the graph is
written after the first batch or, without batch hooks, at the first epoch
end. A log directory that cannot be written raises a `ValueError` at train
begin instead of a TensorFlow error from the writer op.
"""

import os
import time

import tensorflow as tf

from kengine import backend
from kengine.callbacks import _summaries
from kengine.callbacks._monitor import logger
from kengine.callbacks._profiling import ProfileWindow
from kengine.callbacks.callback import Callback
from kengine.optimizers.schedules import LearningRateSchedule

__all__ = ["TensorBoard"]

_V1_KWARGS = {
    "write_grads": "`write_grads` will be ignored in TensorFlow 2.0 for the "
    "`TensorBoard` Callback.",
    "batch_size": "`batch_size` is no longer needed in the `TensorBoard` Callback "
    "and will be ignored in TensorFlow 2.0.",
    "embeddings_layer_names": "`embeddings_layer_names` is not supported in "
    "TensorFlow 2.0. Instead, all `Embedding` layers will be visualized.",
    "embeddings_data": "`embeddings_data` is not supported in TensorFlow 2.0. "
    "Instead, all `Embedding` variables will be visualized.",
}


def _validate_kwargs(kwargs: dict) -> None:
    for key, message in _V1_KWARGS.items():
        if kwargs.get(key, False):
            logger.warning(message)
    unknown = set(kwargs) - set(_V1_KWARGS)
    if unknown:
        raise ValueError(
            f"Unrecognized arguments in `TensorBoard` Callback: {unknown}. "
            f"Supported kwargs are: {set(_V1_KWARGS)}"
        )


class TensorBoard(Callback):
    """Enable visualizations for TensorBoard.

    Args:
        log_dir: Directory of the event files (runs `train` and `validation`).
        histogram_freq: Epoch frequency of weight histograms; 0 disables.
        write_graph: Whether to write the model config and training graph.
        write_images: Whether to write weights as images (with histograms).
        write_steps_per_second: Whether to log training steps per second.
        update_freq: `"epoch"`, `"batch"` or an int N: also write batch logs
            every N training batches.
        profile_batch: Batch (int) or range (`"a,b"` or a pair) to profile;
            0 disables.
        embeddings_freq: Epoch frequency of saving `Embedding` weights for
            the projector; 0 disables.
        embeddings_metadata: Metadata file path, or a dict from `Embedding`
            layer name to path.
        **kwargs: Keras 1 arguments accepted with a warning.

    Raises:
        ValueError: for unknown keyword arguments or a bad `profile_batch`.
    """

    def __init__(
        self,
        log_dir="logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq="epoch",
        profile_batch=0,
        embeddings_freq: int = 0,
        embeddings_metadata=None,
        **kwargs,
    ):
        super().__init__()
        self._supports_tf_logs = True
        _validate_kwargs(kwargs)
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._profile = ProfileWindow(profile_batch, self.log_dir)
        self._writers: dict[str, tf.summary.SummaryWriter] = {}
        self._pushed: list = []
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0
        self._previous_epoch_iterations = 0

    # ------------------------------------------------------------- writers
    def set_model(self, model) -> None:
        self.model = model
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        iterations = getattr(getattr(model, "optimizer", None), "iterations", None)
        counters = getattr(model, "_step_counters", None)
        self._train_step = counters.train if counters is not None else iterations
        self._val_step = counters.test if counters is not None else None
        self._writers = {}
        self._should_write_train_graph = self.write_graph

    def _writer(self, run: str) -> tf.summary.SummaryWriter:
        if run not in self._writers:
            directory = self._train_dir if run == "train" else self._val_dir
            self._writers[run] = tf.summary.create_file_writer(directory)
        return self._writers[run]

    def _check_log_dir(self) -> None:
        for directory in (self._train_dir, self._val_dir):
            try:
                tf.io.gfile.makedirs(directory)
            except (tf.errors.OpError, OSError) as e:
                raise ValueError(
                    "Received an invalid value for log_dir, expected a writable "
                    f"directory. Received: log_dir={self.log_dir!r} ({e})"
                ) from e
            if "://" not in directory and not os.access(directory, os.W_OK):
                raise ValueError(
                    "Received an invalid value for log_dir, expected a writable "
                    f"directory. Received: log_dir={self.log_dir!r} (no write "
                    f"permission on {directory!r})"
                )

    def _push_writer(self, run: str, step) -> None:
        """Makes `run`'s writer the default, recording every N-th `step`."""
        if self.update_freq == "epoch":
            return
        freq = self.update_freq

        def every_nth_step():  # evaluated at each summary, on the live counter
            return tf.equal(step % freq, 0)

        record = True if step is None else every_nth_step
        contexts = (
            self._writer(run).as_default(None if step is None else step.value()),
            tf.summary.record_if(record),
        )
        for context in contexts:
            context.__enter__()
        self._pushed.append(contexts)

    def _pop_writer(self) -> None:
        if self.update_freq == "epoch" or not self._pushed:
            return
        for context in reversed(self._pushed.pop()):
            context.__exit__(None, None, None)

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()

    # -------------------------------------------------------------- hooks
    def on_train_begin(self, logs=None):
        self._check_log_dir()
        self._profile.on_train_begin()
        if self.write_graph:
            self._write_keras_model_summary()
        if self.embeddings_freq:
            self._configure_embeddings()
        self._push_writer("train", self._train_step)

    def on_train_end(self, logs=None):
        self._pop_writer()
        if self._profile.is_tracing:
            self._profile.stop(self._writer("train"))
        self._close_writers()

    def on_test_begin(self, logs=None):
        self._push_writer("validation", self._val_step)

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            step = optimizer.iterations.read_value()
            with tf.summary.record_if(True), self._writer("validation").as_default():
                for name, value in (logs or {}).items():
                    _summaries.scalar(f"evaluation_{name}_vs_iterations", value, step)
        self._pop_writer()

    def _implements_train_batch_hooks(self) -> bool:
        return (
            self._profile.enabled
            or self.write_steps_per_second
            or self.update_freq != "epoch"
        )

    def on_train_batch_begin(self, batch, logs=None):
        if self.write_steps_per_second:
            self._batch_start_time = time.time()
        self._profile.on_batch_begin()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_write_train_graph:
            self._write_train_graph()
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            _summaries.scalar("batch_steps_per_second", 1.0 / elapsed, self._train_step)
        if self.update_freq != "epoch" and isinstance(logs, dict):
            # Recorded or not by the record_if pushed at train begin.
            for name, value in logs.items():
                _summaries.scalar("batch_" + name, value, self._train_step)
        if self._profile.should_stop():
            self._profile.stop(self._writer("train"))

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_epoch_iterations = int(
                self.model.optimizer.iterations.numpy()
            )
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        if self._should_write_train_graph:
            self._write_train_graph()
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)

    # ------------------------------------------------------------ writing
    def _write_keras_model_summary(self) -> None:
        graph_network = getattr(self.model, "_is_graph_network", False)
        if graph_network or type(self.model).__name__ == "Sequential":
            with self._writer("train").as_default(), tf.summary.record_if(True):
                _summaries.keras_model("keras", self.model, step=0)

    def _write_train_graph(self) -> None:
        self._should_write_train_graph = False
        function = getattr(self.model, "train_tf_function", None) or getattr(
            self.model, "train_function", None
        )
        concrete = getattr(function, "_list_all_concrete_functions", None)
        graphs = [fn.graph for fn in concrete()] if concrete else []
        if graphs:
            with self._writer("train").as_default(), tf.summary.record_if(True):
                tf.summary.graph(graphs[0])

    def _log_epoch_metrics(self, epoch: int, logs) -> None:
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        schedule = getattr(
            getattr(self.model, "optimizer", None), "_learning_rate", None
        )
        if isinstance(schedule, LearningRateSchedule):
            train_logs["learning_rate"] = schedule(self.model.optimizer.iterations)
        if self.write_steps_per_second:
            train_logs["steps_per_second"] = self._steps_per_second()
        with tf.summary.record_if(True):
            for run, run_logs in (("train", train_logs), ("validation", val_logs)):
                if run_logs:
                    with self._writer(run).as_default():
                        for name, value in run_logs.items():
                            _summaries.scalar("epoch_" + name, value, step=epoch)

    def _steps_per_second(self) -> float:
        steps = (
            int(self.model.optimizer.iterations.numpy())
            - self._previous_epoch_iterations
        )
        return steps / (time.time() - self._epoch_start_time)

    def _log_weights(self, epoch: int) -> None:
        with self._writer("train").as_default(), tf.summary.record_if(True):
            for layer in self.model.layers:
                for weight in layer.weights:
                    name = weight.name.replace(":", "_")
                    _summaries.histogram(name + "/histogram", weight, step=epoch)
                    if self.write_images:
                        self._log_weight_as_image(weight, name + "/image", epoch)
            self._writer("train").flush()

    def _log_weight_as_image(self, weight, name: str, epoch: int) -> None:
        """Writes a 1D, 2D or 3D weight as a one-channel image (as Keras 2)."""
        image = tf.squeeze(weight)
        shape = image.shape.as_list()
        if len(shape) == 1:  # a bias: one row
            image = tf.reshape(image, [1, shape[0], 1, 1])
        elif len(shape) == 2:  # a dense kernel, drawn wider than tall
            if shape[0] > shape[1]:
                image = tf.transpose(image)
                shape = image.shape.as_list()
            image = tf.reshape(image, [1, shape[0], shape[1], 1])
        elif len(shape) == 3:  # a conv kernel: one image per output channel
            if backend.image_data_format() == "channels_last":
                image = tf.transpose(image, perm=[2, 0, 1])
                shape = image.shape.as_list()
            image = tf.reshape(image, [shape[0], shape[1], shape[2], 1])
        shape = image.shape.as_list()
        if len(shape) == 4 and shape[-1] in (1, 3, 4):
            _summaries.image(name, image, step=epoch)

    # ---------------------------------------------------------- embeddings
    def _embedding_layers(self) -> list:
        return [
            (index, layer)
            for index, layer in enumerate(
                layer for layer in self.model.layers if layer.weights
            )
            if type(layer).__name__ == "Embedding"
        ]

    def _configure_embeddings(self) -> None:
        """Writes `projector_config.pbtxt` pointing at each `Embedding` layer."""
        metadata = self.embeddings_metadata
        if isinstance(metadata, dict):
            metadata = dict(metadata)
        lines = []
        for index, layer in self._embedding_layers():
            lines.append("embeddings {")
            lines.append(
                f'  tensor_name: "layer_with_weights-{index}/embeddings/'
                '.ATTRIBUTES/VARIABLE_VALUE"'
            )
            path = metadata if isinstance(metadata, str) else None
            if isinstance(metadata, dict) and layer.name in metadata:
                path = metadata.pop(layer.name)
            if path is not None:
                lines.append(f'  metadata_path: "{path}"')
            lines.append("}")
        if isinstance(metadata, dict) and metadata:
            raise ValueError(
                "Unrecognized `Embedding` layer names passed to "
                "`keras.callbacks.TensorBoard` `embeddings_metadata` argument: "
                f"{metadata.keys()}"
            )
        path = os.path.join(self.log_dir, "projector_config.pbtxt")
        with tf.io.gfile.GFile(path, "w") as f:
            f.write("\n".join(lines) + ("\n" if lines else ""))

    def _log_embeddings(self, epoch: int) -> None:
        path = os.path.join(self.log_dir, "train", f"keras_embedding.ckpt-{epoch}")
        self.model.save_weights(path)
