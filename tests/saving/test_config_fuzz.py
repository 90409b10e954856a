"""Fuzzing `model_from_json` with mutants of real `to_json()` configs (issue 10).

The bases are configs tf_keras wrote (`testdata/engine/*.json`: a Sequential MLP,
a shared layer, a nested model, TF ops, several inputs and outputs) and tiny
kengine models for what those lack (recurrent layers, wrappers, a `Lambda`).
A seeded mutator changes each copy one to three times: keys deleted, values
replaced by other types, sizes made huge, negative, NaN or infinite, names
replaced by unknown or dangerous ones (`__builtins__`, `get_file`,
`io.write_file`, `_os.system`, ...), `inbound_nodes` pointed at the layer
itself or a later layer (cycles), node and tensor indices out of range, values
nested thousands of levels deep, layers duplicated, `registered_name`
contradicting `class_name`, and the JSON text truncated.

Half of the mutants also carry a payload layer that would write a marker file
if any code in the file ran: a `TFOpLambda` calling `io.write_file`,
`_os.system`, `_inspect.builtins.exec`, `print(output_stream="file://...")` or
`io.gfile.remove` on constants, a `Lambda` whose bytecode writes the file, or a
layer that says `Dense` and registers as a class that writes it. The strings
the mutator draws from hold the same commands, so a mutant that turned any
string into code would leave the marker behind too.

Every mutant must load or raise `ValueError`/`TypeError` with a message that
says something; the marker must never appear and the canary file must survive.
A mutant running for more than `_HANG_S` seconds fails the test as a hang.
"""

import base64
import contextlib
import copy
import json
import marshal
import math
import random
import signal

import kengine
from kengine import layers, models
from tests.goldens import load_json

SEED = 20250110
N_MUTANTS = 2400
_HANG_S = 30
_GOLDENS = ("sequential_mlp", "shared_layer", "nested", "tf_ops", "multi_in_out")
_CLASS_NAMES = ("Dense", "Conv2D", "Functional", "Sequential", "TFOpLambda", "Lambda")
_SIZES = (0, -1, -7, 2**40, 10**18, 2**63, 2**64, math.nan, math.inf, -math.inf, 3.5)
_SHAPES = ([], [None], [None, -3], [None, 2**40], [None, 1.5], [[None, 3]], "x")


class _Hang(BaseException):
    """Raised by the alarm: a BaseException, so no `except Exception` can eat it."""


@contextlib.contextmanager
def _hang_guard(seconds: int):
    def alarm(signum, frame):
        raise _Hang()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _tiny_bases() -> list:
    """kengine-built configs for the recurrent, wrapper and Lambda paths."""
    x = kengine.Input((1, 2), name="seq_in")
    rnn = kengine.Model(
        x, layers.SimpleRNN(2, unroll=True, name="rnn")(x), name="rnn_model"
    )
    bidi = kengine.Model(
        x,
        layers.Bidirectional(layers.SimpleRNN(1, unroll=True), name="bi")(x),
        name="bi_model",
    )
    cells = layers.RNN(
        [layers.SimpleRNNCell(1), layers.SimpleRNNCell(1)], unroll=True, name="stack"
    )
    stacked = kengine.Model(x, cells(x), name="stacked")
    timed = kengine.Model(
        x, layers.TimeDistributed(layers.Dense(1), name="td")(x), name="td_model"
    )
    v = kengine.Input((2,), name="v")
    lam = kengine.Model(v, layers.Lambda(lambda t: t * 2.0, name="lam")(v))
    return [json.loads(m.to_json()) for m in (rnn, bidi, stacked, timed, lam)]


def _bases() -> list:
    goldens = [
        json.loads(load_json("engine", f"{n}.json")["to_json"]) for n in _GOLDENS
    ]
    return goldens + _tiny_bases()


def _lambda_bytecode(marker: str) -> list:
    """The `function` field of a Lambda whose code writes `marker`."""
    fn = lambda t, p=marker: (open(p, "w").write("ran"), t)[1]  # noqa: E731
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    return [code, list(fn.__defaults__), None]


def _op_payload(op: str, argument, kwargs: dict) -> dict:
    return {
        "class_name": "TFOpLambda",
        "config": {"name": "payload", "function": op},
        "registered_name": "TFOpLambda",
        "name": "payload",
        "inbound_nodes": [["_CONSTANT_VALUE", -1, argument, kwargs]],
    }


def _payloads(marker: str, canary: str, input_name: str) -> list:
    """`(kind, layer config)` for every payload class of the module docstring."""
    write = f"open({marker!r}, 'w').write('ran')"
    ops = [
        ("io.write_file", marker, {"contents": "ran"}),
        ("_os.system", f"touch {marker}", {}),
        ("_inspect.builtins.exec", write, {}),
        ("print", "ran", {"output_stream": f"file://{marker}"}),
        ("io.gfile.remove", canary, {}),
        ("compat.v1.write_file", marker, {"contents": "ran"}),
    ]
    found = [("op", _op_payload(op, a, k)) for op, a, k in ops]
    found.append(
        (
            "lambda",
            {
                "class_name": "Lambda",
                "config": {
                    "name": "payload",
                    "function": _lambda_bytecode(marker),
                    "function_type": "lambda",
                    "module": "builtins",
                    "output_shape": None,
                    "output_shape_type": "raw",
                    "output_shape_module": None,
                    "arguments": {},
                },
                "name": "payload",
                "inbound_nodes": [[[input_name, 0, 0, {}]]],
            },
        )
    )
    found.append(
        (
            "disguise",
            {
                "class_name": "Dense",
                "config": {"name": "payload", "units": 1},
                "registered_name": "Evil",
                "name": "payload",
                "inbound_nodes": [[[input_name, 0, 0, {}]]],
            },
        )
    )
    return found


def _evil_class(marker):
    class EvilLayer(kengine.layers.Layer):
        def __init__(self, **kwargs):
            marker.write_text("ran")
            super().__init__(**kwargs)

    return EvilLayer


class _Mutator:
    """Seeded mutations of a config dict (see the module docstring)."""

    def __init__(self, rng: random.Random, marker: str):
        self.rng = rng
        self.strings = [
            "Nope",
            "__builtins__",
            "get_file",
            "load_model",
            "serialization",
            "SafeModeScope",
            "os",
            "io.write_file",
            "_os.system",
            "print",
            marker,
            f"touch {marker}",
            f"file://{marker}",
            "",
            "x" * 300,
            "string",
            "resource",
            "variant",
            "qint8",
            "float16",
            "channels_first",
            "same",
            "softmax",
        ]
        self.ops = [
            self.delete_key,
            self.change_type,
            self.change_size,
            self.change_shape,
            self.rename,
            self.point_inbound,
            self.bad_index,
            self.nest_deep,
            self.duplicate_layer,
            self.swap_class,
        ]

    def slots(self, config) -> list:
        """Every `(container, key)` in the config, iteratively."""
        found, stack = [], [config]
        while stack:
            obj = stack.pop()
            items = obj.items() if isinstance(obj, dict) else enumerate(obj)
            for key, value in items:
                found.append((obj, key))
                if isinstance(value, dict | list):
                    stack.append(value)
        return found

    def pick(self, config, want=None):
        slots = [
            (c, k) for c, k in self.slots(config) if want is None or want(c, k, c[k])
        ]
        return self.rng.choice(slots) if slots else (None, None)

    def layer_lists(self, config) -> list:
        return [
            c[k]
            for c, k in self.slots(config)
            if k == "layers" and isinstance(c[k], list) and c[k]
        ]

    def delete_key(self, config):
        c, k = self.pick(config, lambda c, k, v: isinstance(c, dict))
        if c is not None:
            del c[k]
            return f"delete {k!r}"

    def change_type(self, config):
        c, k = self.pick(config)
        if c is not None:
            c[k] = self.rng.choice(
                [None, "x", 1, -1, 1.5, [], {}, True, [1, 2], {"a": 1}]
            )
            return f"{k!r} -> {c[k]!r}"

    def change_size(self, config):
        c, k = self.pick(
            config,
            lambda c, k, v: isinstance(v, int | float) and not isinstance(v, bool),
        )
        if c is not None:
            c[k] = self.rng.choice(_SIZES)
            return f"size {k!r} -> {c[k]!r}"

    def change_shape(self, config):
        c, k = self.pick(config, lambda c, k, v: "shape" in str(k))
        if c is not None:
            c[k] = copy.deepcopy(self.rng.choice(_SHAPES))
            return f"shape {k!r} -> {c[k]!r}"

    def rename(self, config):
        c, k = self.pick(config, lambda c, k, v: isinstance(v, str))
        if c is not None:
            c[k] = self.rng.choice(self.strings)
            return f"rename {k!r} -> {c[k][:40]!r}"

    def entries(self, config) -> list:
        return [
            v
            for c, k in self.slots(config)
            if isinstance(v := c[k], list)
            and len(v) in (3, 4)
            and isinstance(v[0], str)
        ]

    def point_inbound(self, config):
        lists = self.layer_lists(config)
        entries = self.entries(config)
        if lists and entries:
            entry = self.rng.choice(entries)
            target = self.rng.choice(self.rng.choice(lists))
            if isinstance(target, dict):
                entry[0] = target.get("name", entry[0])
                return f"inbound -> {entry[0]!r}"

    def bad_index(self, config):
        entries = self.entries(config)
        if entries:
            entry = self.rng.choice(entries)
            slot = self.rng.choice([1, 2])
            entry[slot] = self.rng.choice([-1, 1, 5, 2**40, "0", None, 1.5, [0]])
            return f"index[{slot}] -> {entry[slot]!r}"

    def nest_deep(self, config):
        c, k = self.pick(config)
        if c is not None:
            c[k] = "__DEEP__"  # replaced in the JSON text: json.dumps would recurse
            return f"deep {k!r}"

    def duplicate_layer(self, config):
        lists = self.layer_lists(config)
        if lists:
            chosen = self.rng.choice(lists)
            layer = copy.deepcopy(self.rng.choice(chosen))
            if isinstance(layer, dict) and self.rng.random() < 0.5:
                layer["name"] = "copy"  # a second layer with the same inbound nodes
            chosen.insert(self.rng.randrange(len(chosen) + 1), layer)
            return "duplicate layer"

    def swap_class(self, config):
        c, k = self.pick(config, lambda c, k, v: k in ("class_name", "registered_name"))
        if c is not None:
            c[k] = self.rng.choice(_CLASS_NAMES)
            return f"{k} -> {c[k]!r}"

    def mutate(self, config) -> list:
        done = []
        for _ in range(self.rng.randint(1, 3)):
            done.append(self.rng.choice(self.ops)(config))
        return done

    def to_text(self, config, log: list) -> str:
        text = json.dumps(config)
        depth = self.rng.choice([50, 500, 5000])
        text = text.replace('"__DEEP__"', "[" * depth + "0" + "]" * depth)
        if self.rng.random() < 0.05:
            cut = self.rng.randrange(len(text))
            log.append(f"truncate at {cut}")
            text = text[:cut]
        return text


def _insert_payload(rng, config, payload: dict) -> None:
    inner = config.get("config")
    target = inner.get("layers") if isinstance(inner, dict) else None
    if isinstance(target, list):
        target.insert(rng.randrange(1, len(target) + 1), copy.deepcopy(payload))


def _useful(message: str) -> bool:
    return len(message) >= 15 and sum(ch.isalpha() for ch in message) >= 10


def test_mutated_configs_only_raise_value_or_type_errors_and_run_nothing(tmp_path):
    """CVE-2025-1550 / CVE-2024-3660 classes, fuzzed: no code runs, no odd errors."""
    marker, canary = tmp_path / "marker", tmp_path / "canary"
    canary.write_text("keep me")
    custom = {"Evil": _evil_class(marker)}
    rng = random.Random(SEED)
    mutator = _Mutator(rng, str(marker))
    bases = _bases()
    escapes, outcomes = [], {"loaded": 0, "refused": 0}
    for case in range(N_MUTANTS):
        config = copy.deepcopy(rng.choice(bases))
        first = config["config"]["layers"][0]
        input_name = first.get("name", first["config"].get("name"))
        kind = "none"
        if rng.random() < 0.5:
            kind, payload = rng.choice(_payloads(str(marker), str(canary), input_name))
            _insert_payload(rng, config, payload)
        log = [kind, *mutator.mutate(config)]
        text = mutator.to_text(config, log)
        # Out of safe mode too, when the mutant holds no bytecode to run legitimately.
        safe_mode = "lambda" in text or rng.random() < 0.7
        try:
            with _hang_guard(_HANG_S):
                models.model_from_json(text, custom_objects=custom, safe_mode=safe_mode)
            outcomes["loaded"] += 1
        except (ValueError, TypeError) as err:
            outcomes["refused"] += 1
            if not _useful(str(err)):
                escapes.append((case, log, type(err).__name__, str(err)))
        except _Hang:
            escapes.append((case, log, "hang", f"over {_HANG_S}s"))
        except Exception as err:  # noqa: BLE001 - every other type is a defect
            escapes.append((case, log, type(err).__name__, str(err)[:300]))
        assert not marker.exists(), f"mutant {case} ran code: {log}"
        assert canary.exists(), f"mutant {case} deleted a file: {log}"
    assert not escapes, f"{len(escapes)} escapes, first: {escapes[:5]}"
    # The fuzz exercises both paths: some mutants still load, most are refused.
    assert outcomes["loaded"] > N_MUTANTS // 20, outcomes
    assert outcomes["refused"] > N_MUTANTS // 2, outcomes
