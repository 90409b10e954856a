"""`save_model` / `load_model`: one entry point, the format follows the path.

Mirrors Keras 2's `saving/saving_api.py` and `saving/legacy/save.py`. As in
tf_keras 2.21:

| path / `save_format`                 | format         | module          |
|--------------------------------------|----------------|-----------------|
| `*.keras` or `save_format="keras"`   | v3 zip archive | `saving_lib`    |
| `*.h5`, `*.hdf5` or `save_format="h5"` | HDF5 file    | `hdf5_model`    |
| anything else, `save_format="tf"`    | SavedModel dir | `saved_model`   |

Loading looks at what is on disk: a `.keras` path that is a zip is an
archive (an HDF5 file named `.keras`, which old tf_keras wrote, loads as
HDF5), an HDF5 file is HDF5, a directory is a SavedModel. Every loader runs
with `safe_mode=True` unless the caller passes `safe_mode=False`; no file can
change that. Every writer writes beside the target and renames it into place.
"""

import os
import zipfile

import h5py

from kengine.saving import atomic_io, hdf5_model, saved_model, saving_lib

__all__ = ["load_model", "save_model"]

_H5_SUFFIXES = (".h5", ".hdf5")


def _resolve_format(filepath: str, save_format: str | None) -> str:
    if save_format is None:
        if filepath.endswith(".keras"):
            return "keras"
        return "h5" if filepath.endswith(_H5_SUFFIXES) else "tf"
    fmt = str(save_format).lower().strip()
    if fmt in ("keras", "keras_v3"):
        return "keras"
    if fmt in ("h5", "hdf5"):
        return "h5"
    if fmt in ("tf", "tensorflow"):
        if filepath.endswith(".keras"):
            raise ValueError(
                f'save_format="tf" cannot write to {filepath!r}: a ".keras" path '
                "is the v3 archive. Drop the suffix for a SavedModel directory."
            )
        return "tf"
    raise ValueError(
        f"Unknown save_format {save_format!r}: expected 'keras', 'h5' or 'tf'."
    )


def save_model(
    model,
    filepath,
    overwrite: bool = True,
    save_format: str | None = None,
    include_optimizer: bool = True,
    options=None,
    **kwargs,
) -> None:
    """Saves a whole model (architecture, weights, compile state) to `filepath`.

    Args:
        model: A built kengine model.
        filepath: Where to write; its suffix picks the format (see above).
        overwrite: If False and `filepath` exists, raise instead of replacing.
        save_format: `"keras"`, `"h5"` or `"tf"`, overriding the suffix.
        include_optimizer: Store the optimizer's state (HDF5, `.keras`).
        options: `tf.saved_model.SaveOptions` (SavedModel only).
        **kwargs: `save_traces`, `signatures` are accepted for tf_keras
            compatibility and ignored; anything else raises.

    Raises:
        ValueError: for an unknown format or an unbuilt model.
        FileExistsError: with `overwrite=False` and an existing `filepath`.
        TypeError: for an unknown keyword argument.
    """
    unknown = set(kwargs) - {"save_traces", "signatures"}
    if unknown:
        raise TypeError(f"save_model() got unexpected arguments: {sorted(unknown)}")
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(
            f"{filepath!r} exists and overwrite=False: not replacing it."
        )
    if not getattr(model, "built", True):
        raise ValueError(
            f"Model {model.name!r} is not built: call it on data or `build` it "
            "before saving."
        )
    fmt = _resolve_format(filepath, save_format)
    if fmt == "keras":
        saving_lib.save_model(model, filepath, include_optimizer)
    elif fmt == "h5":
        hdf5_model.save_model_to_hdf5(model, filepath, include_optimizer)
    else:
        saved_model.save_model(model, filepath, options)


def load_model(
    filepath,
    custom_objects: dict | None = None,
    compile: bool = True,
    safe_mode: bool = True,
    **kwargs,
):
    """Loads a model saved by `save_model` (kengine, tf_keras or Keras 3).

    Args:
        filepath: A `.keras` archive, an HDF5 file or a SavedModel directory.
        custom_objects: User classes and functions by name (on top of
            `register_keras_serializable` and any `custom_object_scope`).
        compile: Compile the model as it was saved.
        safe_mode: Refuse `Lambda` bytecode; pass False only for files you trust.
        **kwargs: `options`, a `tf.saved_model.LoadOptions` (SavedModel only),
            as tf_keras takes it; anything else raises `TypeError`.

    Returns:
        The kengine model.

    Raises:
        OSError: when nothing is at `filepath`, or the file is not readable.
        ValueError: for a file that holds no model, or an unsafe or unknown
            object in its config.
    """
    options = kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"load_model() got unexpected arguments: {sorted(kwargs)}")
    filepath = os.fspath(filepath)
    # A SavedModel save killed between its two renames left only the old copy.
    if not atomic_io.restore_interrupted_directory(filepath):
        raise OSError(f"No file or directory found at {filepath!r}.")
    if os.path.isdir(filepath):
        if filepath.endswith((".keras", *_H5_SUFFIXES)):
            raise OSError(f"{filepath!r} is a directory, not a model file.")
        return saved_model.load_model(
            filepath, custom_objects, compile, safe_mode, options
        )
    if os.path.getsize(filepath) == 0:
        raise ValueError(f"{filepath!r} is empty (0 bytes): it holds no model.")
    if zipfile.is_zipfile(filepath):
        return saving_lib.load_model(filepath, custom_objects, compile, safe_mode)
    if h5py.is_hdf5(filepath):
        return hdf5_model.load_model_from_hdf5(
            filepath, custom_objects, compile, safe_mode
        )
    raise ValueError(
        f"{filepath!r} is neither a `.keras` zip archive nor an HDF5 file "
        "(truncated, or another kind of file)."
    )
