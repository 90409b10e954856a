"""`python -m kengine.run`: tf.keras scripts, unchanged, train with kengine.

The scripts of `tests/_keras_styles.py` (one per way tf.keras 2 code spells
Keras) run in two subprocesses: one script as `python -m kengine.run script.py
args`, the others through `python -m kengine.run -q -m run_all`, which runs each
as `__main__`. Each must build kengine's model class and give the numbers of the
same script written with `import kengine as keras`, trained here in-process.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from kengine import run
from tests import _keras_styles

ENV = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
ENV["TF_CPP_MIN_LOG_LEVEL"] = "3"
FIRST, *OTHERS = _keras_styles.STYLES


def _kengine_run(args: list[str], cwd) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "kengine.run", *args]
    done = subprocess.run(
        command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    return _keras_styles.run_reference(tmp_path_factory.mktemp("reference"))


@pytest.fixture(scope="module")
def one_script(tmp_path_factory):
    """`python -m kengine.run style_<FIRST>.py out.json --epochs 3`."""
    folder = tmp_path_factory.mktemp("one_script")
    _keras_styles.write_scripts(folder)
    script, out = folder / f"style_{FIRST}.py", folder / f"style_{FIRST}.json"
    done = _kengine_run([str(script), str(out), "--epochs", "3"], cwd=folder.parent)
    return done, _keras_styles.read_result(folder, FIRST), folder


@pytest.fixture(scope="module")
def by_module(tmp_path_factory):
    """`python -m kengine.run -q -m run_all <folder> <styles...>`, from `folder`."""
    folder = tmp_path_factory.mktemp("by_module")
    _keras_styles.write_scripts(folder)
    done = _kengine_run(["-q", "-m", "run_all", str(folder), *OTHERS], cwd=folder)
    return done, folder


def _assert_trained_by_kengine(result: dict, reference: dict) -> None:
    assert result["model"] in (
        "kengine.engine.sequential.Sequential",
        "kengine.engine.functional.Functional",
    )
    assert result["optimizer"] == "kengine.optimizers.sgd"
    np.testing.assert_allclose(result["loss"], reference["loss"], rtol=1e-6)
    np.testing.assert_allclose(result["prediction"], reference["prediction"], rtol=1e-6)


def test_a_script_runs_as_main_with_its_arguments(one_script, reference):
    done, result, folder = one_script
    script = str(folder / f"style_{FIRST}.py")
    assert result["argv"] == [
        script,
        str(folder / f"style_{FIRST}.json"),
        "--epochs",
        "3",
    ]
    # As `python script.py` would: the script's folder, not the working directory.
    assert result["path0"] == str(folder)
    _assert_trained_by_kengine(result, reference)


def test_the_switch_says_so_once_on_stderr(one_script):
    done, _, _ = one_script
    assert done.stderr.count(run.NOTICE) == 1
    assert run.NOTICE not in done.stdout


@pytest.mark.parametrize("style", OTHERS)
def test_each_import_style_trains_with_kengine(by_module, reference, style):
    _, folder = by_module
    result = _keras_styles.read_result(folder, style)
    assert result["argv"][0] == str(folder / f"style_{style}.py")
    _assert_trained_by_kengine(result, reference)


def test_quiet_hides_the_notice(by_module):
    done, _ = by_module
    assert run.NOTICE not in done.stderr


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["s.py"], run.Invocation("s.py")),
        (
            ["-q", "s.py", "-q", "x"],
            run.Invocation("s.py", quiet=True, args=["-q", "x"]),
        ),
        (["-m", "pkg.mod", "-m"], run.Invocation("pkg.mod", True, args=["-m"])),
        (["-q", "-m", "pkg.mod"], run.Invocation("pkg.mod", True, quiet=True)),
    ],
)
def test_options_stop_at_the_program(argv, expected):
    assert run.parse_args(argv) == expected


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "expected a script or -m module"),
        (["-q"], "expected a script or -m module"),
        (["-m"], "-m expects a module name"),
        (["--verbose", "s.py"], "unknown option '--verbose'"),
    ],
)
def test_bad_command_lines_print_the_usage(argv, message, capsys):
    with pytest.raises(SystemExit) as raised:
        run.parse_args(argv)
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(run.USAGE) and f"error: {message}" in err


def test_help_prints_the_usage(capsys):
    with pytest.raises(SystemExit) as raised:
        run.parse_args(["-h", "s.py"])
    assert raised.value.code == 0
    assert capsys.readouterr().out.strip() == run.USAGE
