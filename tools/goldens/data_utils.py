"""Goldens for the data utilities: tf_keras's directory datasets, timeseries
windows, image helpers, the old `keras.preprocessing` namespace and the
word-index datasets.

Every input is built here, deterministically: the file trees are written to a
temporary folder and also saved (as base64 bytes) in `trees.json`, so the
kengine tests rebuild byte-identical trees and compare. Shuffled cases pass a
seed and set TensorFlow's global seed to 1337 (as tests/conftest.py does);
NumPy and `random` are reseeded before every case that draws from them.

Writes testdata/data_utils/:
- `trees.json`: `{"text"|"image"|"audio": {relative path: base64 bytes}}`.
- `text_dataset.json`, `image_dataset.npz`/`.json`, `audio_dataset.npz`/`.json`,
  `timeseries.npz`/`.json`: per case, the kwargs, class names, file paths and
  every batch of the first pass.
- `image_utils.npz`/`.json`: smart_resize, load_img/img_to_array,
  array_to_img.
- `text.json`, `sequence.json`, `image_generator.npz`/`.json`,
  `datasets.json`: written by `_data_utils_legacy.py` (Tokenizer,
  TimeseriesGenerator/skipgrams, ImageDataGenerator, imdb/reuters/boston).
"""

import base64
import random
import tempfile
from pathlib import Path

import numpy as np
import tensorflow as tf
from tf_keras.src.utils import (
    audio_dataset,
    image_dataset,
    image_utils,
    text_dataset,
    timeseries_dataset,
)

from goldens import _data_utils_legacy as legacy
from goldens._common import range_like, write_json, write_npz

TF_SEED = 1337

TEXTS = {
    "neg/a.txt": "Bad movie, really bad.",
    "neg/b.txt": "I walked out.",
    "neg/c.txt": "Awful acting; dull plot",
    "neg/notes.md": "not a .txt file: skipped",
    "pos/d.txt": "Great fun!",
    "pos/e.TXT": "Upper-case extension still counts",
    "pos/more/f.txt": "A nested file belongs to its class folder.",
    "pos/g.txt": "Loved it",
    ".hidden/h.txt": "hidden folders are not classes",
}


def _image_bytes(height, width, channels, k) -> bytes:
    i, j, c = np.meshgrid(
        np.arange(height), np.arange(width), np.arange(channels), indexing="ij"
    )
    pixels = ((i * 37 + j * 11 + c * 53 + k * 17) % 256).astype("uint8")
    return tf.io.encode_png(pixels).numpy()


def _wav_bytes(samples, channels, k) -> bytes:
    t = np.arange(samples * channels, dtype="float32").reshape(samples, channels)
    audio = np.sin(t * 0.3 + k) * 0.5
    return tf.audio.encode_wav(audio, 8000).numpy()


def trees() -> dict:
    """The three file trees, as {relative path: bytes}."""
    image_specs = {
        "cat/c1.png": (6, 4, 3),
        "cat/c2.png": (5, 7, 3),
        "cat/deep/c3.png": (4, 4, 1),
        "dog/d1.png": (8, 6, 4),
        "dog/d2.png": (6, 6, 3),
        "dog/readme.txt": None,
        "fox/f1.png": (7, 5, 3),
        "fox/f2.png": (3, 9, 3),
    }
    images = {}
    for k, (name, spec) in enumerate(sorted(image_specs.items())):
        images[name] = b"text" if spec is None else _image_bytes(*spec, k)
    audio_specs = {"no/n1.wav": 5, "no/n2.wav": 8, "yes/y1.wav": 3, "yes/y2.wav": 6}
    audio = {
        name: _wav_bytes(n, 1, k)
        for k, (name, n) in enumerate(sorted(audio_specs.items()))
    }
    return {
        "text": {name: text.encode() for name, text in TEXTS.items()},
        "image": images,
        "audio": audio,
    }


def write_tree(root: Path, files: dict) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _relative(paths, root) -> list:
    return [str(Path(p).relative_to(root)) for p in paths]


def _batches(dataset) -> list:
    """Every element of one pass, as nested lists of numpy values."""
    out = []
    for element in dataset:
        parts = element if isinstance(element, tuple) else (element,)
        out.append([_to_numpy(p) for p in parts])
    return out


def _to_numpy(value):
    if isinstance(value, tf.RaggedTensor):
        splits = [s.numpy() for s in value.nested_row_splits]
        return {"values": value.flat_values.numpy(), "splits": splits}
    return value.numpy()


def _run_dataset_case(fn, root, kwargs):
    tf.random.set_seed(TF_SEED)
    np.random.seed(0)
    result = fn(str(root), **kwargs)
    datasets = result if isinstance(result, list | tuple) else [result]
    return [
        {
            "class_names": [str(c) for c in ds.class_names],
            "batches": _batches(ds),
            "file_paths": _relative(getattr(ds, "file_paths", []), root),
        }
        for ds in datasets
    ]


TEXT_CASES = [
    {"shuffle": False, "batch_size": 2},
    {"seed": 7, "batch_size": 3, "label_mode": "categorical"},
    {"seed": 7, "batch_size": None, "label_mode": "binary"},
    {"shuffle": False, "labels": None, "max_length": 6},
    # Explicit labels walk the whole tree, the hidden folder included: 8 files.
    {"shuffle": False, "labels": [1, 0, 2, 1, 0, 2, 1, 1], "batch_size": 4},
    {"shuffle": False, "class_names": ["pos", "neg"]},
    {"seed": 3, "validation_split": 0.3, "subset": "both", "batch_size": 2},
    {"seed": 3, "validation_split": 0.3, "subset": "validation"},
]


def _text_part(part):
    """Strings as a flat list of str (one element when unbatched), else lists."""
    if isinstance(part, bytes):
        return [part.decode()]
    if part.dtype == object:
        return [t.decode() for t in np.ravel(part)]
    return part.tolist()


def _text_dataset(out_dir, root):
    cases = []
    for kwargs in TEXT_CASES:
        outputs = _run_dataset_case(
            text_dataset.text_dataset_from_directory, root, kwargs
        )
        for out in outputs:
            out["batches"] = [
                [_text_part(p) for p in batch] for batch in out["batches"]
            ]
        cases.append({"kwargs": kwargs, "outputs": outputs})
    write_json(out_dir, "text_dataset.json", cases)


IMAGE_CASES = [
    {"shuffle": False, "batch_size": 3, "image_size": (4, 5)},
    {
        "seed": 5,
        "batch_size": 4,
        "image_size": (3, 3),
        "color_mode": "grayscale",
        "label_mode": "categorical",
    },
    {
        "shuffle": False,
        "image_size": (4, 4),
        "crop_to_aspect_ratio": True,
        "interpolation": "nearest",
        "color_mode": "rgba",
    },
    {
        "seed": 9,
        "validation_split": 0.4,
        "subset": "both",
        "image_size": (2, 3),
        "batch_size": 2,
        "interpolation": "bicubic",
    },
    {
        "shuffle": False,
        "labels": [0, 1, 1, 0, 1, 0, 0],
        "label_mode": "binary",
        "image_size": (2, 2),
        "batch_size": None,
    },
    {"shuffle": False, "labels": None, "image_size": (3, 2), "interpolation": "area"},
]


def _arrays_cases(fn, root, cases):
    arrays, meta = {}, []
    for i, kwargs in enumerate(cases):
        outputs = _run_dataset_case(fn, root, kwargs)
        for s, out in enumerate(outputs):
            for b, batch in enumerate(out.pop("batches")):
                for p, part in enumerate(batch):
                    key = f"c{i}_s{s}_b{b}_p{p}"
                    if isinstance(part, dict):
                        arrays[key + "_values"] = part["values"]
                        for level, splits in enumerate(part["splits"]):
                            arrays[f"{key}_splits{level}"] = splits
                    else:
                        arrays[key] = part
            out["num_batches"] = b + 1
        meta.append({"kwargs": kwargs, "outputs": outputs})
    return arrays, meta


def _image_dataset(out_dir, root):
    arrays, meta = _arrays_cases(
        image_dataset.image_dataset_from_directory, root, IMAGE_CASES
    )
    write_npz(out_dir, "image_dataset.npz", **arrays)
    write_json(out_dir, "image_dataset.json", meta)


AUDIO_CASES = [
    {"shuffle": False, "batch_size": 3},
    {"shuffle": False, "batch_size": 2, "output_sequence_length": 4},
    {"shuffle": False, "batch_size": 2, "ragged": True, "label_mode": "categorical"},
    {"seed": 4, "batch_size": 2, "validation_split": 0.5, "subset": "both"},
]


def _audio_dataset(out_dir, root):
    arrays, meta = _arrays_cases(
        audio_dataset.audio_dataset_from_directory, root, AUDIO_CASES
    )
    write_npz(out_dir, "audio_dataset.npz", **arrays)
    write_json(out_dir, "audio_dataset.json", meta)


TIMESERIES_CASES = [
    {"sequence_length": 4, "batch_size": 3},
    {"sequence_length": 3, "sequence_stride": 2, "sampling_rate": 2, "batch_size": 2},
    {"sequence_length": 5, "start_index": 2, "end_index": 15, "batch_size": 4},
    {"sequence_length": 4, "shuffle": True, "seed": 11, "batch_size": 3},
    {"sequence_length": 3, "shuffle": True, "seed": 2, "batch_size": None},
    {"sequence_length": 6, "no_targets": True, "batch_size": 5},
]


def _timeseries(out_dir):
    data = range_like((20, 2), scale=3.0)
    targets = np.arange(20) * 10
    arrays, meta = {"data": data, "targets": targets}, []
    for i, case in enumerate(TIMESERIES_CASES):
        kwargs = {k: v for k, v in case.items() if k != "no_targets"}
        tf.random.set_seed(TF_SEED)
        ds = timeseries_dataset.timeseries_dataset_from_array(
            data, None if case.get("no_targets") else targets, **kwargs
        )
        batches = _batches(ds)
        for b, batch in enumerate(batches):
            for p, part in enumerate(batch):
                arrays[f"c{i}_b{b}_p{p}"] = part
        meta.append({"kwargs": case, "num_batches": len(batches)})
    write_npz(out_dir, "timeseries.npz", **arrays)
    write_json(out_dir, "timeseries.json", meta)


def _image_utils(out_dir, root):
    arrays, meta = {}, {}
    image = range_like((7, 5, 3), scale=100.0, offset=1.0) + 100.0
    for size in [(4, 4), (3, 6), (7, 2)]:
        for method in ["bilinear", "nearest"]:
            arrays[f"smart_{size[0]}x{size[1]}_{method}"] = image_utils.smart_resize(
                image, size, interpolation=method
            )
    arrays["smart_batch"] = image_utils.smart_resize(
        np.stack([image, image * 0.5]), (4, 4)
    )
    path = root / "dog" / "d1.png"
    load_cases = []
    for i, kwargs in enumerate(
        [
            {},
            {"color_mode": "grayscale"},
            {"color_mode": "rgba", "target_size": (4, 4)},
            {"target_size": (5, 3), "interpolation": "bilinear"},
            {
                "target_size": (3, 5),
                "interpolation": "bicubic",
                "keep_aspect_ratio": True,
            },
            {"target_size": (4, 2), "interpolation": "lanczos"},
            {"target_size": (2, 4), "interpolation": "box", "keep_aspect_ratio": True},
            {"target_size": (3, 3), "interpolation": "hamming"},
        ]
    ):
        img = image_utils.load_img(path, **kwargs)
        arrays[f"load_{i}"] = image_utils.img_to_array(img)
        arrays[f"load_{i}_cf"] = image_utils.img_to_array(
            img, data_format="channels_first"
        )
        load_cases.append({"kwargs": kwargs, "mode": img.mode, "size": list(img.size)})
    meta["load_img"] = load_cases
    to_img = []
    for i, (x, kwargs) in enumerate(
        [
            (image, {}),
            (image, {"scale": False}),
            (image[:, :, :1] * 3.0, {"scale": False}),
            (image[:, :, :1], {}),
            (np.concatenate([image, image[:, :, :1]], axis=-1), {}),
            (image.transpose(2, 0, 1), {"data_format": "channels_first"}),
        ]
    ):
        img = image_utils.array_to_img(x, **kwargs)
        arrays[f"to_img_{i}_in"] = x
        arrays[f"to_img_{i}"] = np.asarray(img)
        to_img.append({"kwargs": kwargs, "mode": img.mode})
    meta["array_to_img"] = to_img
    write_npz(out_dir, "image_utils.npz", **arrays)
    write_json(out_dir, "image_utils.json", meta)


def generate(out_dir: Path) -> None:
    files = trees()
    write_json(
        out_dir,
        "trees.json",
        {
            kind: {name: base64.b64encode(data).decode() for name, data in tree.items()}
            for kind, tree in files.items()
        },
    )
    with tempfile.TemporaryDirectory() as tmp:
        roots = {
            kind: write_tree(Path(tmp) / kind, tree) for kind, tree in files.items()
        }
        random.seed(0)
        _text_dataset(out_dir, roots["text"])
        _image_dataset(out_dir, roots["image"])
        _audio_dataset(out_dir, roots["audio"])
        _timeseries(out_dir)
        _image_utils(out_dir, roots["image"])
        legacy.generate(out_dir, roots)
