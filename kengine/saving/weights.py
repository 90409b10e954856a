"""`save_weights` / `load_weights`: the two weight-file formats of Keras 2.

Mirrors Keras 2's `saving/legacy/save.py: save_weights, load_weights,
_detect_save_format` and `saving/saving_api.py`; `Model.save_weights` and
`Model.load_weights` delegate here. The format follows the path, as in Keras 2:

- a path ending in `.h5`, `.hdf5` or `.keras` (or `save_format="h5"`) is an
  HDF5 file in the Keras 2 layout (`kengine/saving/hdf5_format.py`); loading
  also reads Keras 3 `.weights.h5` files, recognised by their layout;
- any other path is a TensorFlow checkpoint prefix: `tf.train.Checkpoint`
  over the model's object graph writes `<path>.index` and
  `<path>.data-00000-of-00001`, and a `checkpoint` file in the same directory
  names it, so `tf.train.latest_checkpoint(dir)` finds it. Loading returns the
  restore status; variables that do not exist yet (an unbuilt subclassed
  model) are restored when they are created, by TensorFlow's deferred
  restoration.

Saves survive a kill (`kengine/saving/atomic_io.py`): an HDF5 file is written
under a temporary name beside the target and renamed over it when complete; a
TF checkpoint (two files that must match) is written under a fresh prefix and
switched to by one atomic replacement of the `checkpoint` pointer file, then
published at the user's prefix (`kengine/saving/tf_checkpoint.py` has the
steps). After a completed save the directory holds exactly what tf_keras
leaves. Each save removes the temporaries that killed saves of the same
target left behind.

Loads are all-or-nothing: every value is read, checked (count, shape, dtype)
and converted before the first variable is assigned, so a file that does not
fit raises `ValueError` and leaves the model as it was.
"""

import os
import weakref

import tensorflow as tf

from kengine.saving import hdf5_format, saving_lib, tf_checkpoint
from kengine.saving.atomic_io import atomic_write_path

__all__ = ["save_weights", "load_weights", "atomic_write_path", "detect_save_format"]


def _ask_to_proceed_with_overwrite(filepath: str) -> bool:
    """Asks on stdin whether to overwrite `filepath`, as Keras 2 does."""
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]")
    while answer.strip().lower() not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).')
    if answer.strip().lower() == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True


def _assert_weights_created(model) -> None:
    if not getattr(model, "built", True) and not model.weights:
        raise ValueError(
            f"Weights for model '{model.name}' have not yet been created. Weights "
            "are created when the model is first called on inputs or `build()` "
            "is called with an `input_shape`."
        )


def _resolve_save_format(filepath: str, save_format: str | None) -> str:
    is_h5 = hdf5_format.is_hdf5_filepath(filepath)
    if save_format is None:
        return "h5" if is_h5 else "tf"
    user_format = save_format.lower().strip()
    if user_format in ("tensorflow", "tf"):
        if is_h5:
            raise ValueError(
                'save_weights got save_format="tf"/"tensorflow", but the filepath '
                f"({filepath}) looks like an HDF5 file. Omit the "
                '".h5"/".keras" when saving in TensorFlow format.'
            )
        return "tf"
    if user_format in ("hdf5", "h5", "keras"):
        return "h5"
    raise ValueError(
        f"Unknown format. Received: `save_format`={save_format}. Was expecting "
        'one of {"tf", "h5"}.'
    )


def save_weights(
    model,
    filepath,
    overwrite: bool = True,
    save_format: str | None = None,
    options=None,
) -> None:
    """Saves all the weights of `model` to `filepath`.

    Args:
        model: A built model.
        filepath: Path of the HDF5 file, or prefix of the TF checkpoint.
        overwrite: If False and the file exists, ask on stdin first.
        save_format: `"tf"` or `"h5"`; by default from the path's extension.
        options: A `tf.train.CheckpointOptions` for the TF format.

    Raises:
        ValueError: for an unknown `save_format`, `"tf"` with an `.h5` path,
            an unbuilt model, or duplicate weight names (HDF5).
    """
    _assert_weights_created(model)
    filepath = os.fspath(filepath)
    save_format = _resolve_save_format(filepath, save_format)
    check_path = filepath if save_format == "h5" else filepath + ".index"
    if not overwrite and os.path.isfile(check_path):
        if not _ask_to_proceed_with_overwrite(check_path):
            return
    if filepath.endswith(".weights.h5") and save_format == "h5":
        saving_lib.save_weights_only(model, filepath)  # the v3 layout
    elif save_format == "h5":
        with atomic_write_path(filepath) as temp_path:
            with hdf5_format.open_weights_file(temp_path, "w") as f:
                hdf5_format.save_weights_to_hdf5_group(f, model)
    else:
        tf_checkpoint.write_checkpoint(_checkpoint(model), filepath, options)


def _checkpoint(model) -> tf.train.Checkpoint:
    # A weak reference, as Keras 2 keeps it, so the checkpoint never keeps the
    # model alive; the model itself is the root of the object graph.
    return tf.train.Checkpoint(root=weakref.ref(model))


def _is_tf_checkpoint(filepath: str) -> bool:
    try:
        tf.train.load_checkpoint(filepath)
        return True
    except (tf.errors.DataLossError, tf.errors.NotFoundError, ValueError):
        return False


def detect_save_format(filepath) -> tuple[str, str]:
    """Returns `(path, "h5" | "tf")` for a weight file written by either format.

    A SavedModel directory resolves to its `variables/variables` checkpoint,
    and a TF prefix whose last save was interrupted while it was being
    published to its committed copy (see `tf_checkpoint.resolve_prefix`).

    Raises:
        tf.errors.NotFoundError: if nothing readable exists at `filepath`.
    """
    filepath = os.fspath(filepath)
    if hdf5_format.is_hdf5_filepath(filepath):
        return filepath, "h5"
    resolved = tf_checkpoint.resolve_prefix(filepath)
    if _is_tf_checkpoint(resolved):
        return resolved, "tf"
    variables = os.path.join(filepath, "variables", "variables")
    if os.path.isdir(filepath) and _is_tf_checkpoint(variables):
        return variables, "tf"
    if os.path.isfile(filepath):
        return filepath, "h5"
    raise tf.errors.NotFoundError(
        None,
        None,
        f"No weights found at {filepath!r}: it is neither an HDF5 file nor a "
        f"TensorFlow checkpoint prefix (no {filepath + '.index'!r}).",
    )


def load_weights(
    model, filepath, skip_mismatch: bool = False, by_name: bool = False, options=None
):
    """Loads weights saved by `save_weights` (kengine, tf_keras or Keras 3).

    Args:
        model: The model to load into.
        filepath: HDF5 file or TF checkpoint prefix.
        skip_mismatch: With `by_name=True`, skip layers whose weights differ
            in number or shape instead of raising.
        by_name: HDF5 only: match layers by name instead of by order.
        options: A `tf.train.CheckpointOptions` for the TF format.

    Returns:
        The restore status for the TF format (restores of variables not yet
        created happen when they are created); for HDF5 with `by_name=True` a
        `hdf5_format.LoadReport` (what loaded, what was skipped and why),
        otherwise None.

    Raises:
        ValueError: for `skip_mismatch` without `by_name`, an unbuilt model
            with an HDF5 file, or weights that do not fit the model.
        NotImplementedError: for `by_name=True` with a TF checkpoint.
    """
    if skip_mismatch and not by_name:
        raise ValueError(
            "When calling model.load_weights, skip_mismatch can only be set to "
            "True when by_name is True."
        )
    filepath, save_format = detect_save_format(filepath)
    if save_format == "tf":
        if by_name:
            raise NotImplementedError(
                "Weights may only be loaded based on topology into Models when "
                "loading TensorFlow-formatted weights (got by_name=True to "
                "load_weights)."
            )
        # Checked first: TensorFlow's restore would fail after assigning some.
        tf_checkpoint.check_checkpoint_fits(model, filepath)
        status = _checkpoint(model).read(filepath, options)
        status.assert_nontrivial_match()
        _finalize(model)
        return status
    if not getattr(model, "built", True):
        raise ValueError(
            "Unable to load weights saved in HDF5 format into a model which has "
            "not created its variables yet. Call the model first (or `build` it), "
            "then load the weights."
        )
    with hdf5_format.open_weights_file(filepath, "r") as f:
        report = _load_h5(f, model, by_name, skip_mismatch)
    _finalize(model)
    return report


def _load_h5(f, model, by_name: bool, skip_mismatch: bool):
    group = f
    if "layer_names" not in f.attrs and "model_weights" in f:
        group = f["model_weights"]  # a full-model file from `model.save`
    if "layer_names" in group.attrs or "layer_names0" in group.attrs:
        if by_name:
            return hdf5_format.load_weights_from_hdf5_group_by_name(
                group, model, skip_mismatch
            )
        hdf5_format.load_weights_from_hdf5_group(group, model)
    elif "layers" in f:
        # The v3 layout (tf_keras's and Keras 3's `.weights.h5`).
        saving_lib.load_state_from_group(model, f)
    else:
        raise ValueError(
            f"{f.filename!r} is not a Keras weights file: it has neither a "
            "`layer_names` attribute (Keras 2) nor a `layers` group (Keras 3). "
            f"Top-level keys: {sorted(f.keys())}"
        )


def _finalize(model) -> None:
    # Layers holding state outside their variables (lookup tables) rebuild it.
    for layer in getattr(model, "layers", []):
        finalize = getattr(layer, "finalize_state", None)
        if callable(finalize):
            finalize()
