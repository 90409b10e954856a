"""Readers that describe the inside of saved Keras files, as JSON-ready dicts.

`tools/goldens/saving_models.py` records with them how tf_keras lays out each
file it writes (testdata/saving_models/layouts.json), and
`tools/kengine_to_tf_keras.py` reads kengine's files with the same functions
so the two layouts can be compared key by key. h5 files become
{path: attributes or "dtype [shape]"}, `.keras` archives their members,
metadata and weights layout, TF checkpoints their keys and object graph.
"""

import json
import zipfile
from pathlib import Path

import h5py
import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import trackable_object_graph_pb2


def _attr(name: str, value):
    """An h5 attribute as JSON; long strings (model_config) shown by length only."""
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [_attr(name, v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if name == "training_config":
        return json.loads(value)
    if isinstance(value, str) and len(value) > 300:
        return f"<{len(value)} chars>"
    return value


def h5_layout(path: Path | str) -> dict:
    """Every group (its attributes) and dataset ("dtype shape") of an h5 file."""
    layout = {}

    def attrs(obj):
        return {k: _attr(k, v) for k, v in obj.attrs.items()}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            layout[name] = f"{obj.dtype} {list(obj.shape)}"
        else:
            layout[name + "/"] = attrs(obj)

    with h5py.File(path, "r") as f:
        layout["/"] = attrs(f)
        f.visititems(visit)
    return layout


def _objects(config) -> set:
    """Every "module / class_name / registered_name" triple a config names."""
    found = set()
    if isinstance(config, dict):
        if "class_name" in config:
            found.add(
                f"{config.get('module')} / {config['class_name']} / "
                f"{config.get('registered_name')}"
            )
        config = list(config.values())
    if isinstance(config, list):
        for item in config:
            found |= _objects(item)
    return found


def keras_zip_layout(path: Path) -> dict:
    """Members of a `.keras` archive, its metadata and its weights layout."""
    tmp = path.parent / (path.name + ".inner.h5")
    with zipfile.ZipFile(path) as zf:
        info = {
            "members": [
                {"name": i.filename, "compress_type": i.compress_type}
                for i in zf.infolist()
            ],
            "metadata.json": json.loads(zf.read("metadata.json")),
            "config.json_top_keys": sorted(json.loads(zf.read("config.json"))),
            "config.json_objects": sorted(_objects(json.loads(zf.read("config.json")))),
        }
        tmp.write_bytes(zf.read("model.weights.h5"))
    info["model.weights.h5"] = h5_layout(tmp)
    tmp.unlink()
    return info


def object_graph(prefix: Path) -> dict:
    """The checkpoint's object graph: node path -> its key, slots and aliases."""
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    reader = tf.train.load_checkpoint(str(prefix))
    graph.ParseFromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    paths, order = {0: [""]}, [0]
    for node_id in order:  # breadth first: a node's first path is its shortest
        for child in graph.nodes[node_id].children:
            path = f"{paths[node_id][0]}/{child.local_name}".lstrip("/")
            if child.node_id not in paths:
                order.append(child.node_id)
            paths.setdefault(child.node_id, []).append(path)
    nodes = {}
    for node_id in order[1:]:
        node, info = graph.nodes[node_id], {}
        for attribute in node.attributes:
            info["key"] = attribute.checkpoint_key
        if node.slot_variables:
            info["slots"] = [s.slot_name for s in node.slot_variables]
        if len(paths[node_id]) > 1:
            info["aliases"] = paths[node_id][1:]
        nodes[paths[node_id][0]] = info
    return nodes


def ckpt_layout(prefix: Path) -> dict:
    """Files, `checkpoint` text, variable keys/shapes and object graph."""
    return {
        "files": sorted(p.name for p in prefix.parent.iterdir()),
        "checkpoint_file": (prefix.parent / "checkpoint").read_text(),
        "variables": {n: list(s) for n, s in tf.train.list_variables(str(prefix))},
        "object_graph": object_graph(prefix),
    }


def savedmodel_layout(path: Path) -> dict:
    loaded = tf.saved_model.load(str(path))
    sig = loaded.signatures["serving_default"]
    return {
        "files": sorted(
            str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()
        ),
        "signatures": sorted(loaded.signatures.keys()),
        "serving_inputs": {
            k: [v.shape.as_list(), v.dtype.name]
            for k, v in sig.structured_input_signature[1].items()
        },
        "serving_outputs": {
            k: [v.shape.as_list(), v.dtype.name]
            for k, v in sig.structured_outputs.items()
        },
    }
