"""`python -m kengine.run`: run an existing tf.keras program on kengine, unchanged.

    python -m kengine.run [-q] script.py [args ...]
    python -m kengine.run [-q] -m package.module [args ...]

The program runs as `__main__` with `sys.argv` set to its own name and
arguments, as `python script.py args` or `python -m package.module args` would
run it (`runpy` does the running). Before it starts, `kengine.use_as_keras()`
makes `tf.keras`, `from tensorflow import keras`, `import keras` and
`import tf_keras` resolve to kengine (see `kengine/keras_alias.py`), and one
line on stderr says so; `-q` leaves that line out.

There is no Keras 2 counterpart; the command line follows `python -m runpy`.
"""

import os
import runpy
import sys
from dataclasses import dataclass, field

from kengine.keras_alias import use_as_keras

__all__ = ["Invocation", "main", "parse_args"]

USAGE = "usage: python -m kengine.run [-q] (script.py | -m module) [args ...]"
NOTICE = (
    "kengine.run: tf.keras, keras and tf_keras resolve to kengine in this "
    "process (-q hides this line)"
)


@dataclass
class Invocation:
    """What to run: a script path or a module name, with its arguments."""

    target: str
    is_module: bool = False
    quiet: bool = False
    args: list[str] = field(default_factory=list)


def _usage_error(message: str) -> SystemExit:
    print(f"{USAGE}\nkengine.run: error: {message}", file=sys.stderr)
    return SystemExit(2)


def parse_args(argv: list[str]) -> Invocation:
    """Reads kengine.run's options; everything after the target is the program's.

    Args:
        argv: the command line after `python -m kengine.run`.

    Returns:
        The `Invocation` to run.

    Raises:
        SystemExit: with status 0 after printing the usage for `-h`, and with
            status 2 on an unknown option or a missing target.
    """
    quiet = False
    rest = list(argv)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option in ("-h", "--help"):
            print(USAGE)
            raise SystemExit(0)
        if option == "-q":
            quiet = True
        elif option == "-m":
            if not rest:
                raise _usage_error("-m expects a module name")
            return Invocation(rest[0], is_module=True, quiet=quiet, args=rest[1:])
        else:
            raise _usage_error(f"unknown option {option!r}")
    if not rest:
        raise _usage_error("expected a script or -m module")
    return Invocation(rest[0], quiet=quiet, args=rest[1:])


def main(argv: list[str] | None = None) -> None:
    """Switches Keras to kengine, then runs the program as `__main__`.

    Args:
        argv: the command line after `python -m kengine.run` (default:
            `sys.argv[1:]`).
    """
    invocation = parse_args(sys.argv[1:] if argv is None else argv)
    use_as_keras()
    if not invocation.quiet:
        print(NOTICE, file=sys.stderr)
    sys.argv = [invocation.target, *invocation.args]
    if invocation.is_module:
        runpy.run_module(invocation.target, run_name="__main__", alter_sys=True)
        return
    # `python script.py` puts the script's folder first on sys.path, not the
    # working directory that `python -m` put there.
    sys.path[0] = os.path.dirname(os.path.abspath(invocation.target))
    runpy.run_path(invocation.target, run_name="__main__")


if __name__ == "__main__":
    main()
