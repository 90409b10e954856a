"""Goldens for the old `keras.preprocessing` namespace and the word-index
datasets (part of the `data_utils` area; see data_utils.py).

Writes into testdata/data_utils/:
- `text.json`: Tokenizer vocabularies, sequences, matrices, configs for
  several settings; text_to_word_sequence and md5 hashing_trick.
- `sequence.json`: TimeseriesGenerator batches and configs, seeded skipgrams,
  make_sampling_table.
- `image_generator.npz`/`.json`: ImageDataGenerator transforms with fixed
  parameters, seeded random parameters, `flow` and `flow_from_directory`
  batches, `fit` statistics, the `random_*` functions.
- `datasets.json`: small fake imdb/reuters/boston files in the real files'
  format and what tf_keras's `load_data` returns for them.
"""

import json
import random
import tempfile
from pathlib import Path

import numpy as np
from tf_keras.src.datasets import boston_housing, imdb, reuters
from tf_keras.src.preprocessing import image, sequence, text

from goldens._common import range_like, write_json, write_npz

TEXTS = [
    "The cat sat on the mat.",
    "The dog ate my homework!",
    "Cat and dog; cat and mouse.",
    "Tabs\tand\nnewlines, UPPER case",
]
UNSEEN = ["the bird and the cat", "zebra"]
JSON_FIELDS = ("word_counts", "word_docs", "index_docs", "index_word", "word_index")
TOKENIZER_CASES = [
    {},
    {"num_words": 5, "oov_token": "<OOV>"},
    {"num_words": 4},
    {"char_level": True, "lower": False},
    {"filters": "", "split": ","},
]


def _tokenizer_case(kwargs):
    tok = text.Tokenizer(**kwargs)
    texts = ["a,b,a", "b,c"] if kwargs.get("split") == "," else TEXTS
    tok.fit_on_texts(texts)
    sequences = tok.texts_to_sequences(texts + UNSEEN)
    return {
        "kwargs": kwargs,
        "texts": texts,
        "word_index": tok.word_index,
        "word_counts": dict(tok.word_counts),
        "word_docs": dict(tok.word_docs),
        "index_docs": {str(k): v for k, v in tok.index_docs.items()},
        "document_count": tok.document_count,
        "sequences": sequences,
        "back_to_texts": tok.sequences_to_texts(sequences),
        "matrices": {
            mode: tok.texts_to_matrix(texts + UNSEEN, mode=mode).tolist()
            for mode in ["binary", "count", "tfidf", "freq"]
        },
        # The dictionaries inside the config are JSON strings whose key order
        # follows set iteration (hash-seeded); store them parsed, sorted.
        "config": {
            key: json.loads(value) if key in JSON_FIELDS else value
            for key, value in json.loads(tok.to_json())["config"].items()
        },
    }


def _text(out_dir):
    words = [
        (s, kwargs, text.text_to_word_sequence(s, **kwargs))
        for s in TEXTS
        for kwargs in [{}, {"lower": False}, {"filters": ".", "split": " "}]
    ]
    hashed = [(s, text.hashing_trick(s, 20, hash_function="md5")) for s in TEXTS]
    write_json(
        out_dir,
        "text.json",
        {
            "tokenizers": [_tokenizer_case(kwargs) for kwargs in TOKENIZER_CASES],
            "text_to_word_sequence": words,
            "hashing_trick_md5": hashed,
        },
    )


GENERATOR_CASES = [
    {"length": 3, "batch_size": 2},
    {"length": 4, "sampling_rate": 2, "stride": 3, "batch_size": 3},
    {"length": 2, "start_index": 3, "end_index": 12, "reverse": True, "batch_size": 4},
    {"length": 3, "shuffle": True, "batch_size": 3},
]


def _sequence(out_dir):
    data = range_like((16, 2), scale=5.0).tolist()
    targets = list(range(16))
    generators = []
    for kwargs in GENERATOR_CASES:
        gen = sequence.TimeseriesGenerator(np.array(data), np.array(targets), **kwargs)
        np.random.seed(4)
        batches = [
            [x.tolist(), y.tolist()] for x, y in (gen[i] for i in range(len(gen)))
        ]
        generators.append(
            {
                "kwargs": kwargs,
                "len": len(gen),
                "batches": batches,
                "config": gen.get_config(),
            }
        )
    skipgram_cases = []
    seq = [1, 2, 3, 0, 4, 5, 2, 6]
    table = sequence.make_sampling_table(10, sampling_factor=0.3).tolist()
    for kwargs in [
        {"window_size": 2, "seed": 42},
        {"window_size": 1, "negative_samples": 2.0, "categorical": True, "seed": 1},
        {"window_size": 2, "shuffle": False},
        {"window_size": 3, "sampling_table": table, "seed": 5},
    ]:
        random.seed(123)
        couples, labels = sequence.skipgrams(seq, 10, **kwargs)
        skipgram_cases.append({"kwargs": kwargs, "couples": couples, "labels": labels})
    write_json(
        out_dir,
        "sequence.json",
        {
            "data": data,
            "targets": targets,
            "generators": generators,
            "skipgram_sequence": seq,
            "skipgrams": skipgram_cases,
            "sampling_tables": {
                "10": sequence.make_sampling_table(10).tolist(),
                "6_0.001": sequence.make_sampling_table(6, 1e-3).tolist(),
                "10_0.3": table,
            },
        },
    )


FIXED_PARAMS = [
    {"theta": 30.0},
    {"tx": 1.5, "ty": -2.0},
    {"shear": 20.0, "zx": 0.8, "zy": 1.3},
    {"theta": -15.0, "tx": 1.0, "zx": 1.2, "zy": 1.2, "flip_horizontal": True},
    {"flip_vertical": True, "channel_shift_intensity": 0.5},
    {"brightness": 1.4},
]
GENERATOR_KWARGS = {
    "rotation_range": 25,
    "width_shift_range": 0.2,
    "height_shift_range": [-1, 1],
    "shear_range": 10.0,
    "zoom_range": 0.2,
    "channel_shift_range": 0.3,
    "horizontal_flip": True,
    "vertical_flip": True,
    "fill_mode": "reflect",
}


def _fixed_transforms(arrays, x):
    for fill_mode in ["nearest", "constant", "reflect", "wrap"]:
        gen = image.ImageDataGenerator(fill_mode=fill_mode, cval=-1.0)
        for i, params in enumerate(FIXED_PARAMS):
            arrays[f"fixed_{fill_mode}_{i}"] = gen.apply_transform(x.copy(), params)
    gen = image.ImageDataGenerator(data_format="channels_first")
    for i, params in enumerate(FIXED_PARAMS[:4]):
        arrays[f"fixed_cf_{i}"] = gen.apply_transform(
            x.transpose(2, 0, 1).copy(), params
        )


def _random_params(x):
    gen = image.ImageDataGenerator(brightness_range=(0.5, 1.5), **GENERATOR_KWARGS)
    params = [gen.get_random_transform(x.shape, seed=s) for s in (0, 1, 2)]
    int_shift = image.ImageDataGenerator(width_shift_range=2, height_shift_range=3.0)
    params += [int_shift.get_random_transform(x.shape, seed=s) for s in (3, 4)]
    return [
        {k: (None if v is None else float(v)) for k, v in p.items()} for p in params
    ]


def _flows(arrays, meta, x_batch, roots):
    gen = image.ImageDataGenerator(rescale=0.5, **GENERATOR_KWARGS)
    y = np.arange(len(x_batch))
    it = gen.flow(
        x_batch, y, batch_size=4, seed=11, shuffle=True, sample_weight=y * 0.5
    )
    for b in range(3):  # next() wraps around the epoch
        bx, by, bw = next(it)
        arrays[f"flow_next_{b}_x"], arrays[f"flow_next_{b}_y"] = bx, by
        arrays[f"flow_next_{b}_w"] = bw
    it = gen.flow(x_batch, y, batch_size=4, seed=3, shuffle=False)
    for b in range(len(it)):
        arrays[f"flow_item_{b}_x"], arrays[f"flow_item_{b}_y"] = it[b]
    split = image.ImageDataGenerator(validation_split=0.5)
    for subset in ("training", "validation"):
        sx, sy = split.flow(x_batch, y % 2, shuffle=False, subset=subset).next()
        arrays[f"flow_{subset}_x"], arrays[f"flow_{subset}_y"] = sx, sy
    root = str(roots["image"])
    dir_gen = image.ImageDataGenerator(
        rescale=1 / 255.0, validation_split=0.5, **GENERATOR_KWARGS
    )
    cases = [
        {"target_size": (5, 5), "batch_size": 3, "seed": 3},
        {
            "target_size": (4, 6),
            "color_mode": "grayscale",
            "class_mode": "sparse",
            "shuffle": False,
            "seed": 4,
            "keep_aspect_ratio": True,
            "interpolation": "bilinear",
        },
        {
            "target_size": (3, 3),
            "classes": ["fox", "cat"],
            "class_mode": "binary",
            "shuffle": False,
            "seed": 5,
            "subset": "training",
        },
        {
            "target_size": (3, 3),
            "class_mode": None,
            "shuffle": False,
            "seed": 6,
            "subset": "validation",
            "color_mode": "rgba",
        },
    ]
    # Every case has a seed: augmentations draw from NumPy's global RNG, which
    # the iterator reseeds per batch only when given one.
    for c, kwargs in enumerate(cases):
        it = dir_gen.flow_from_directory(root, **kwargs)
        for b in range(len(it)):
            batch = it[b]
            parts = batch if isinstance(batch, tuple) else (batch,)
            for p, part in enumerate(parts):
                arrays[f"dir_{c}_{b}_{p}"] = part
        meta.append(
            {
                "kwargs": kwargs,
                "len": len(it),
                "filenames": it.filenames,
                "classes": it.classes.tolist(),
                "class_indices": it.class_indices,
            }
        )


def _fit_and_standardize(arrays, x_batch):
    for name, kwargs in {
        "feature": {"featurewise_center": True, "featurewise_std_normalization": True},
        "sample": {"samplewise_center": True, "samplewise_std_normalization": True},
        "zca": {"zca_whitening": True, "rescale": 0.1},
        "augment": {"featurewise_center": True, "rotation_range": 10},
    }.items():
        gen = image.ImageDataGenerator(**kwargs)
        gen.fit(x_batch, augment=name == "augment", rounds=2, seed=8)
        if gen.mean is not None:
            arrays[f"fit_{name}_mean"] = gen.mean
        if gen.std is not None:
            arrays[f"fit_{name}_std"] = gen.std
        if gen.zca_whitening_matrix is not None:
            arrays[f"fit_{name}_zca"] = gen.zca_whitening_matrix
        arrays[f"fit_{name}_standardized"] = gen.standardize(x_batch[:2].copy())


def _random_functions(arrays, x):
    cf = x.transpose(2, 0, 1)
    for name, fn in {
        "rotation": lambda: image.random_rotation(cf, 40),
        "shift": lambda: image.random_shift(cf, 0.2, 0.3, fill_mode="wrap"),
        "shear": lambda: image.random_shear(cf, 30, fill_mode="constant", cval=2.0),
        "zoom": lambda: image.random_zoom(cf, (0.7, 1.2)),
        "channel_shift": lambda: image.random_channel_shift(cf, 0.4),
        "brightness": lambda: image.random_brightness(x * 50 + 100, (0.5, 1.0)),
    }.items():
        np.random.seed(21)
        arrays[f"random_{name}"] = fn()


def _image_generator(out_dir, roots):
    x = range_like((6, 5, 3), scale=1.0, offset=2.0)
    x_batch = np.stack([range_like((6, 5, 3), scale=1.0, offset=i) for i in range(6)])
    arrays = {"x": x, "x_batch": x_batch}
    meta = {
        "directory": [],
        "fixed_params": FIXED_PARAMS,
        "generator_kwargs": GENERATOR_KWARGS,
    }
    _fixed_transforms(arrays, x)
    meta["random_params"] = _random_params(x)
    _flows(arrays, meta["directory"], x_batch, roots)
    _fit_and_standardize(arrays, x_batch)
    _random_functions(arrays, x)
    write_npz(out_dir, "image_generator.npz", **arrays)
    write_json(out_dir, "image_generator.json", meta)


def _object_array(lists):
    out = np.empty(len(lists), dtype="object")
    out[:] = lists
    return out


def _fake_word_lists(rng, count):
    return [rng.randint(1, 30, size=rng.randint(2, 9)).tolist() for _ in range(count)]


def _load_with(module, path, **kwargs):
    module.get_file = lambda *args, **kw: str(path)  # the fake file, no download
    (x_train, y_train), (x_test, y_test) = module.load_data(**kwargs)
    return {
        "kwargs": kwargs,
        "x_train": [list(map(int, x)) for x in x_train]
        if x_train.dtype == object
        else x_train.tolist(),
        "y_train": np.asarray(y_train).tolist(),
        "x_test": [list(map(int, x)) for x in x_test]
        if x_test.dtype == object
        else x_test.tolist(),
        "y_test": np.asarray(y_test).tolist(),
    }


def _datasets(out_dir):
    rng = np.random.RandomState(5)
    imdb_raw = {
        "x_train": _fake_word_lists(rng, 7),
        "y_train": [0, 1, 1, 0, 1, 0, 1],
        "x_test": _fake_word_lists(rng, 5),
        "y_test": [1, 0, 0, 1, 1],
    }
    reuters_raw = {"x": _fake_word_lists(rng, 9), "y": [3, 1, 4, 1, 5, 9, 2, 6, 5]}
    boston_raw = {"x": range_like((11, 13), scale=10.0).tolist(), "y": list(range(11))}
    imdb_cases = [
        {},
        {"num_words": 12, "skip_top": 4, "seed": 2},
        {"maxlen": 8, "start_char": None, "oov_char": None, "num_words": 20},
        {"index_from": 1, "start_char": None},
    ]
    reuters_cases = [{}, {"test_split": 0.4, "num_words": 15, "seed": 7}, {"maxlen": 6}]
    with tempfile.TemporaryDirectory() as tmp:
        paths = {
            name: Path(tmp) / f"{name}.npz" for name in ("imdb", "reuters", "boston")
        }
        np.savez(
            paths["imdb"],
            **{
                k: _object_array(v) if k.startswith("x") else np.array(v)
                for k, v in imdb_raw.items()
            },
        )
        np.savez(
            paths["reuters"],
            x=_object_array(reuters_raw["x"]),
            y=np.array(reuters_raw["y"]),
        )
        np.savez(
            paths["boston"],
            x=np.array(boston_raw["x"]),
            y=np.array(boston_raw["y"], "float64"),
        )
        outputs = {
            "imdb": [_load_with(imdb, paths["imdb"], **kw) for kw in imdb_cases],
            "reuters": [
                _load_with(reuters, paths["reuters"], **kw) for kw in reuters_cases
            ],
            "boston_housing": [
                _load_with(boston_housing, paths["boston"], **kw)
                for kw in [{}, {"test_split": 0.3, "seed": 1}]
            ],
        }
    write_json(
        out_dir,
        "datasets.json",
        {
            "raw": {
                "imdb": imdb_raw,
                "reuters": reuters_raw,
                "boston_housing": boston_raw,
            },
            "outputs": outputs,
            "reuters_label_names": list(reuters.get_label_names()),
        },
    )


def generate(out_dir: Path, roots: dict) -> None:
    _text(out_dir)
    _sequence(out_dir)
    _image_generator(out_dir, roots)
    _datasets(out_dir)
