"""`save_model` / `load_model` (`kengine/saving/saving_api.py`): dispatch, errors,
safe mode and crash safety of every whole-model writer."""

import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from kengine.saving import saving_api, saving_utils
from tests.saving import _golden_models as g
from tests.saving import _kill_model_saver

ROOT = Path(__file__).resolve().parents[2]
KILLS = 5
KILL_SEED = 12


@pytest.mark.parametrize(
    "name, save_format, is_what",
    [
        ("m.keras", None, "zip"),
        ("m.h5", None, "h5"),
        ("m.hdf5", None, "h5"),
        ("m", "h5", "h5"),
        ("sm", None, "dir"),
        ("sm", "tf", "dir"),
    ],
)
def test_format_follows_path_and_round_trip_is_exact(
    tmp_path, name, save_format, is_what
):
    data = g.arrays("multi_io.npz")
    model = g.model_from_golden_h5("multi_io")
    target = tmp_path / name
    saving_api.save_model(model, target, save_format=save_format)
    found = {
        "zip": zipfile.is_zipfile(target) if target.is_file() else False,
        "h5": h5py.is_hdf5(target) if target.is_file() else False,
        "dir": target.is_dir(),
    }
    assert [k for k, v in found.items() if v] == [is_what]
    assert sorted(os.listdir(tmp_path)) == [name]  # no temporary left
    reloaded = saving_api.load_model(target)
    for got, want in zip(g.predict(reloaded, data), g.predict(model, data)):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_bad_save_arguments(tmp_path):
    model = g.model_from_golden_h5("mlp")
    with pytest.raises(ValueError, match="Unknown save_format 'pickle'"):
        saving_api.save_model(model, tmp_path / "m", save_format="pickle")
    with pytest.raises(ValueError, match=r'save_format="tf" cannot write to .*\.keras'):
        saving_api.save_model(model, tmp_path / "m.keras", save_format="tf")
    (tmp_path / "m.h5").write_bytes(b"keep")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        saving_api.save_model(model, tmp_path / "m.h5", overwrite=False)
    assert (tmp_path / "m.h5").read_bytes() == b"keep"


def _truncated_h5(tmp_path):
    data = g.path("mlp.h5").read_bytes()
    (tmp_path / "cut.h5").write_bytes(data[: len(data) // 2])
    return tmp_path / "cut.h5"


def _zip_without_config(tmp_path):
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as archive:
        archive.writestr("metadata.json", "{}")
    return tmp_path / "m.keras"


def _directory_named_keras(tmp_path):
    (tmp_path / "d.keras").mkdir()
    return tmp_path / "d.keras"


def _empty(tmp_path):
    (tmp_path / "e.h5").write_bytes(b"")
    return tmp_path / "e.h5"


def _text(tmp_path):
    (tmp_path / "t.keras").write_text("not a model")
    return tmp_path / "t.keras"


def _weights_only(tmp_path):
    return g.path("mlp_weights.h5")


@pytest.mark.parametrize(
    "make, error, message",
    [
        (_truncated_h5, OSError, r"cut\.h5"),
        (_zip_without_config, ValueError, r"m\.keras.*no config\.json"),
        (_directory_named_keras, OSError, r"d\.keras.* is a directory"),
        (_empty, ValueError, r"e\.h5.* is empty"),
        (_text, ValueError, r"t\.keras.* neither"),
        (_weights_only, ValueError, r"mlp_weights\.h5.*no 'model_config'"),
        (lambda p: p / "missing.h5", OSError, r"No file or directory found"),
    ],
)
def test_corrupt_or_foreign_files_say_what_is_wrong(tmp_path, make, error, message):
    with pytest.raises(error, match=message):
        saving_api.load_model(make(tmp_path))


# CVE-2024-3660 (Lambda bytecode run by load_model), CVE-2025-1550 and
# CVE-2025-9905/9906 (safe_mode bypassed from inside the file): a Lambda holding
# marshalled bytecode must be refused unless the *caller* passes safe_mode=False.
@pytest.mark.parametrize("name", ["payload_lambda.h5", "payload_lambda.keras"])
def test_lambda_bytecode_refused_by_default_and_loaded_on_opt_in(name):
    with pytest.raises(ValueError, match="safe_mode=False"):
        saving_api.load_model(g.path(name))
    model = saving_api.load_model(g.path(name), safe_mode=False)
    data = g.arrays("payload_lambda.npz")
    np.testing.assert_allclose(g.predict(model, data)[0], data["y0"], rtol=1e-6)


def test_lambda_bytecode_in_json_refused_by_default():
    config = json.loads(g.path("payload_lambda.json").read_text())
    with pytest.raises(ValueError, match="safe_mode=False"):
        saving_utils.model_from_config(config)
    assert (
        saving_utils.model_from_config(config, safe_mode=False).name == "payload_lambda"
    )


def test_file_cannot_switch_safe_mode_off(tmp_path):
    with zipfile.ZipFile(g.path("payload_lambda.keras")) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    config = json.loads(members["config.json"])
    config["safe_mode"] = False
    config["config"]["safe_mode"] = False
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "p.keras", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="safe_mode=False"):
        saving_api.load_model(tmp_path / "p.keras")


def _reply(process) -> str:
    line = process.stdout.readline()
    return line.strip() if line else "zygote exited"


def _check_after_kill(directory: Path, kill: int) -> None:
    last = {}
    for line in (directory / "log").read_text().splitlines():
        fmt, generation = line.split()
        last[fmt] = int(generation)
    for fmt, name in _kill_model_saver.TARGETS.items():
        model = saving_api.load_model(directory / name)
        generation = _kill_model_saver.generation_of(model)
        assert generation in (last[fmt], last[fmt] + 1), (kill, fmt, last)


@pytest.mark.skipif(os.name != "posix", reason="forks and SIGKILLs")
def test_whole_model_saves_killed_at_random_moments_leave_a_loadable_file(tmp_path):
    # A zygote forks savers writing h5, .keras and SavedModel in a loop and
    # SIGKILLs each after a random delay; every file then loads, holding the
    # generation of its last completed save or of the one the kill cut short.
    rng = random.Random(KILL_SEED)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-m", "tests.saving._kill_model_saver", str(tmp_path)]
    with subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as zygote:
        try:
            for kill in range(KILLS):
                zygote.stdin.write(f"{rng.uniform(0.0, 1.0)}\n")
                zygote.stdin.flush()
                answer = _reply(zygote)
                errors = tmp_path / "errors"
                assert answer == "killed", (
                    errors.read_text() if errors.exists() else answer
                )
                _check_after_kill(tmp_path, kill)
        finally:
            zygote.kill()
