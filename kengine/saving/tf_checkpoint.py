"""TensorFlow-format weight checkpoints that a kill cannot tear, and checked loads.

Keras 2 (`saving/legacy/save.py: save_weights`) writes `tf.train.Checkpoint`
files straight to the user's prefix: `<prefix>.index` and
`<prefix>.data-00000-of-00001` are renamed into place one after the other, so
a process killed between the renames leaves a new index beside old data (or
the reverse), which fails with `DataLossError`. kengine keeps the files Keras 2
leaves after a save (the prefix's two files and a `checkpoint` file naming the
prefix, byte for byte what tf_keras writes) and makes the switch to a new save
one atomic step, the replacement of the `checkpoint` pointer file:

```
1. write the new checkpoint under a fresh prefix      <dir>/<B>.kengine-tmp-<pid>-<hex>/<B>
2. commit: point `checkpoint` at it (atomic replace)   model_checkpoint_path: "<that>/<B>"
3. publish: copy its index, then hard-link (or copy) its data, over <dir>/<B>.*
4. point `checkpoint` back at <B>; delete the fresh prefix's directory
```

A kill before step 2 leaves the previous save everywhere (and a stale
temporary, removed by the next save). Between steps 2 and 4 the pointer names
the new, complete checkpoint, so `tf.train.latest_checkpoint(dir)` is always
readable; `<dir>/<B>` itself may then hold a new index beside old data, so
`load_weights("<dir>/<B>")` reads through the pointer (`resolve_prefix`): it
takes the fresh prefix while `<B>.index` is missing or has the same bytes as
the fresh one (the index is published first), and `<B>` otherwise (a
complete earlier save, or a newer one written by other code). The next save
in the directory first finishes a publication a kill interrupted
(`finish_interrupted_save`), so at most one fresh prefix ever exists and old
generations never accumulate. Only a reader that opens `<dir>/<B>` directly
without this resolution (tf_keras) can meet the torn pair, and only until the
next save.

Loading checks before it assigns: `check_checkpoint_fits` walks the
checkpoint's object graph alongside the live objects (as TensorFlow's restore
matches them) and compares every matched variable's shape and dtype with the
saved one, so a mismatch raises `ValueError` before any variable changes
(TensorFlow's restore assigns variable by variable and fails halfway).
"""

import collections
import os
import re

import tensorflow as tf
from tensorflow.core.protobuf import trackable_object_graph_pb2

from kengine.saving import atomic_io

__all__ = [
    "check_checkpoint_fits",
    "finish_interrupted_save",
    "resolve_prefix",
    "write_checkpoint",
]

POINTER_FILE = "checkpoint"
_OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
_FRESH_DIR = r"\.kengine-tmp-\d+-[0-9a-f]{8}"
_DATA_SHARD = r"\.data-\d{5}-of-\d{5}"


def _pointer_text(relative_prefix: str) -> str:
    """The `checkpoint` file tf_keras writes, naming one prefix."""
    quoted = relative_prefix.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f'model_checkpoint_path: "{quoted}"\nall_model_checkpoint_paths: "{quoted}"\n'
    )


def _pointed_prefix(directory: str) -> str | None:
    """The absolute prefix the directory's `checkpoint` file names, if any."""
    try:
        state = tf.train.get_checkpoint_state(directory)
    except ValueError:  # a `checkpoint` file without model_checkpoint_path
        return None
    return None if state is None else os.path.abspath(state.model_checkpoint_path)


def _pending(directory: str) -> tuple[str, str] | None:
    """`(basename, fresh prefix)` when the pointer names an unpublished save."""
    pointed = _pointed_prefix(directory)
    if pointed is None:
        return None
    fresh_dir, basename = os.path.split(pointed)
    parent, fresh_name = os.path.split(fresh_dir)
    if parent != os.path.abspath(directory):
        return None
    if not re.fullmatch(re.escape(basename) + _FRESH_DIR, fresh_name):
        return None
    if not os.path.isfile(pointed + ".index"):
        return None
    return basename, pointed


def _data_shards(prefix: str) -> list[str]:
    """The basenames of the data shards written for `prefix`."""
    directory, basename = os.path.split(prefix)
    pattern = re.compile(re.escape(basename) + _DATA_SHARD)
    return sorted(n for n in os.listdir(directory) if pattern.fullmatch(n))


def _publish(directory: str, basename: str, fresh: str) -> None:
    """Steps 3 and 4: links the fresh files over `<directory>/<basename>`."""
    target = os.path.join(directory, basename)
    # The index first: `resolve_prefix` reads the fresh prefix for as long as
    # the target's index equals the fresh one, i.e. while data may be mid-copy.
    # It is copied (it is small): TensorFlow rewrites an existing index in
    # place, which through a hard link would change the fresh copy too.
    atomic_io.link_or_copy(fresh + ".index", target + ".index", allow_link=False)
    shards = _data_shards(fresh)
    for shard in shards:
        atomic_io.link_or_copy(
            os.path.join(os.path.dirname(fresh), shard), os.path.join(directory, shard)
        )
    for shard in set(_data_shards(target)) - set(shards):  # a save with more shards
        os.remove(os.path.join(directory, shard))
    atomic_io.write_text(os.path.join(directory, POINTER_FILE), _pointer_text(basename))
    atomic_io.remove_path(os.path.dirname(fresh))


def finish_interrupted_save(directory: str) -> bool:
    """Publishes a committed save whose publication a kill interrupted.

    Args:
        directory: A checkpoint directory.

    Returns:
        Whether there was one to finish.
    """
    pending = _pending(directory)
    if pending is None:
        return False
    basename, fresh = pending
    _publish(os.path.abspath(directory), basename, fresh)
    return True


def resolve_prefix(prefix) -> str:
    """The prefix to read for `prefix`: itself, or its committed fresh copy.

    Args:
        prefix: A checkpoint prefix written by `write_checkpoint` (or by
            anything else).

    Returns:
        The fresh prefix of a save of `prefix` whose publication was
        interrupted, when `<prefix>.index` is missing or is that save's
        index; `prefix` otherwise.
    """
    prefix = os.fspath(prefix)
    directory, basename = os.path.split(os.path.abspath(prefix))
    pending = _pending(directory)
    if pending is None or pending[0] != basename:
        return prefix
    fresh = pending[1]
    index = os.path.join(directory, basename + ".index")
    if not os.path.exists(index) or _same_bytes(index, fresh + ".index"):
        return fresh
    return prefix


def _same_bytes(path_a: str, path_b: str) -> bool:
    # Index files are small (a few bytes per variable), so reading is cheap.
    with open(path_a, "rb") as a, open(path_b, "rb") as b:
        return a.read() == b.read()


def write_checkpoint(checkpoint: tf.train.Checkpoint, prefix, options=None) -> str:
    """Writes `checkpoint` to `prefix` so that a kill leaves a readable save.

    See the module docstring for the steps. Stale temporaries of `prefix`
    (from killed saves) are removed first.

    Args:
        checkpoint: The `tf.train.Checkpoint` to write.
        prefix: The checkpoint prefix (`<dir>/<basename>`).
        options: A `tf.train.CheckpointOptions`, or None.

    Returns:
        `prefix`, as a string.
    """
    prefix = os.fspath(prefix)
    directory, basename = os.path.split(os.path.abspath(prefix))
    os.makedirs(directory, exist_ok=True)
    finish_interrupted_save(directory)
    target = os.path.join(directory, basename)
    atomic_io.remove_stale_temporaries(
        target, re.escape(basename) + f"(?:\\.index|{_DATA_SHARD})?"
    )
    fresh_dir = atomic_io.temporary_path(target, keep_extension=False)
    fresh = os.path.join(fresh_dir, basename)
    committed = False
    try:
        checkpoint.write(fresh, options=options)
        checkpoint.sync()  # an asynchronous write must be complete before step 2
        atomic_io.write_text(
            os.path.join(directory, POINTER_FILE),
            _pointer_text(os.path.join(os.path.basename(fresh_dir), basename)),
        )
        committed = True
        _publish(directory, basename, fresh)
    finally:
        # Once committed, the pointer names the fresh prefix: keep it for
        # `finish_interrupted_save` if publishing failed.
        if not committed:
            atomic_io.remove_path(fresh_dir)
    return prefix


def _object_graph(reader, prefix: str):
    if not reader.has_tensor(_OBJECT_GRAPH_KEY):
        return None  # a name-based (TF1) checkpoint: nothing to walk
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    try:
        graph.ParseFromString(reader.get_tensor(_OBJECT_GRAPH_KEY))
    except Exception as e:  # protobuf's DecodeError has no stable import path
        raise ValueError(
            f"The TensorFlow checkpoint {prefix!r} has an unreadable object graph: {e}"
        ) from e
    return graph


def _owner(obj, default: str) -> str:
    """The name of a layer-like object (one with `name` and `weights`)."""
    name = getattr(obj, "name", None)
    # On the class: an unbuilt model's `weights` property raises.
    if isinstance(name, str) and hasattr(type(obj), "weights"):
        return name
    return default


def _matched_variables(root, graph, prefix: str):
    """Yields `(owner, variable, checkpoint_key)` for live variables the file holds.

    Nodes are matched to objects as TensorFlow's restore matches them:
    breadth first from the root, children by local name, and a node reached
    by several paths belongs to the object of the first (shallowest) one.
    """
    queue = collections.deque([(0, root, _owner(root, "the model"))])
    bound = {0}
    while queue:
        node_id, obj, owner = queue.popleft()
        node = graph.nodes[node_id]
        if isinstance(obj, tf.Variable):
            for attribute in node.attributes:
                if attribute.name == "VARIABLE_VALUE":
                    yield owner, obj, attribute.checkpoint_key
            continue
        children = tf.train.TrackableView.children(obj)
        for ref in node.children:
            child = children.get(ref.local_name)
            if child is None or ref.node_id in bound:
                continue  # not created yet (restored on creation), or matched
            if not 0 <= ref.node_id < len(graph.nodes):
                raise ValueError(
                    f"The TensorFlow checkpoint {prefix!r} has a corrupt object "
                    f"graph: node {ref.node_id} of {len(graph.nodes)} does not exist."
                )
            bound.add(ref.node_id)
            queue.append((ref.node_id, child, _owner(child, owner)))


def check_checkpoint_fits(root, prefix) -> None:
    """Raises unless every variable of `root` the checkpoint holds fits it.

    Args:
        root: The object the checkpoint was written from (a model, or a
            `tf.train.Checkpoint`).
        prefix: The checkpoint prefix to read.

    Raises:
        ValueError: naming the layer, the weight, and both shapes and dtypes,
            for each variable whose saved shape or dtype differs.
    """
    prefix = os.fspath(prefix)
    reader = tf.train.load_checkpoint(prefix)
    graph = _object_graph(reader, prefix)
    if graph is None:
        return
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    problems = []
    for owner, variable, key in _matched_variables(root, graph, prefix):
        if key not in shapes:
            continue  # a dangling reference; TensorFlow reports it on restore
        expected = (tuple(variable.shape), variable.dtype.base_dtype)
        saved = (tuple(shapes[key]), dtypes[key])
        # An unknown dimension (an adapted vocabulary's length) takes any size.
        fits = variable.shape.is_compatible_with(saved[0]) and expected[1] == saved[1]
        if not fits:
            problems.append(
                f"layer {owner!r}, weight {variable.name!r} (checkpoint key "
                f"{key!r}): the model expects shape {expected[0]} and dtype "
                f"{expected[1].name}, the checkpoint holds shape {saved[0]} and "
                f"dtype {saved[1].name}"
            )
    if problems:
        raise ValueError(
            f"Cannot load the TensorFlow checkpoint {prefix!r}: "
            f"{len(problems)} weight(s) do not fit the model, so no weight was "
            "changed.\n" + "\n".join(problems)
        )
