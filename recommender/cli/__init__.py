"""Command line: ``recommender summary|build|recommend|similar|batch|evaluate|plan|serve``.

Each command is a thin shell over the Python API. Errors a user can fix are printed as one line
``error: ...`` in command-line terms (exit code 2), never a traceback; Ctrl-C exits with code 130. By default
the model libraries' progress bars and notices are silenced (``-v`` shows them, with INFO logs); ``-q``
prints only results and errors.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator, Sequence

from .messages import in_cli_terms
from .output import Console
from .parser import build_parser

if TYPE_CHECKING:  # pragma: no cover
    from ..embedding import Encoder

__all__ = ["main"]

QUIET_ENVIRONMENT = {"HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error",
                     "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1"}
"""Read by huggingface_hub and transformers when they are imported: no "Loading weights" bars, no notices."""

QUIET_LOGGERS = ("sentence_transformers", "transformers", "huggingface_hub", "torch", "ray")


def main(argv: Sequence[str] | None = None, *, encoder: "Encoder | None" = None) -> int:
    """Entry point of the ``recommender`` console script; ``argv`` defaults to ``sys.argv[1:]``.

    ``encoder`` embeds instead of one made from ``--model`` or an index's manifest (it must be the
    index's model), e.g. one already loaded in a notebook. Returns the exit code: 0, 2 for an error the
    user can fix, 130 when interrupted, 141 when the reader of standard output went away."""
    from ..util import RecommenderError

    args = build_parser().parse_args(argv)
    args.encoder = encoder
    data_on_stdout = (args.command == "serve" or str(getattr(args, "out", "")) == "-"
                      or (args.command in ("recommend", "similar") and args.format != "table"))
    args.console = Console(verbosity=args.verbosity, data_on_stdout=data_on_stdout)
    try:
        with _libraries_quiet(args.verbosity), _warnings_shown(args.console):
            return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of standard output stopped, e.g. '| head'
        _silence_stdout()
        return 141
    except (RecommenderError, ValueError, OSError, ImportError) as exc:
        print(f"error: {in_cli_terms(_text(exc), args.flags)}", file=sys.stderr)
        return 2


def _text(exc: BaseException) -> str:
    """One line for an error: its message, or for an OS error without one, what failed where."""
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}."
    return " ".join(str(exc).split()) or type(exc).__name__


@contextmanager
def _libraries_quiet(verbosity: int) -> Iterator[None]:
    """Log the package's messages to standard error at the verbosity asked for (``warning: ...`` lines; with
    ``-v`` INFO too, with logger names) and, unless ``-v``, silence the model libraries (progress bars, notices).
    Environment variables the user set are left as they are; everything is restored afterwards."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogFormat(named=verbosity > 0))
    handler.addFilter(_not_reported)
    package = logging.getLogger("recommender")
    saved = package.level, package.propagate
    package.setLevel({-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}[verbosity])
    package.propagate = False
    package.addHandler(handler)
    libraries = {} if verbosity > 0 else {name: logging.getLogger(name) for name in QUIET_LOGGERS}
    levels = {name: logger.level for name, logger in libraries.items()}
    for logger in libraries.values():
        logger.setLevel(logging.ERROR)
    added = {} if verbosity > 0 else {k: v for k, v in QUIET_ENVIRONMENT.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        package.removeHandler(handler)
        package.level, package.propagate = saved
        for name, logger in libraries.items():
            logger.setLevel(levels[name])
        for key in added:
            os.environ.pop(key, None)


class _LogFormat(logging.Formatter):
    """``warning: message``, or with ``named`` ``INFO recommender.x: message``."""

    def __init__(self, *, named: bool) -> None:
        super().__init__()
        self.named = named

    def format(self, record: logging.LogRecord) -> str:
        if self.named:
            return f"{record.levelname} {record.name}: {record.getMessage()}"
        return f"{record.levelname.lower()}: {record.getMessage()}"


REPORTED = (("recommender.catalog.loader", "Rejected "), ("recommender.planning.planner", "No candidate clears min_fit"))
"""Log records the commands report themselves, in flag terms and with details (the rejected rows, the briefs
left unbooked): not logged twice."""


def _not_reported(record: logging.LogRecord) -> bool:
    return not any(record.name == name and str(record.msg).startswith(start) for name, start in REPORTED)


@contextmanager
def _warnings_shown(console: Console) -> Iterator[None]:
    """The package's own warnings (meant for the user) as one ``warning: ...`` line each; other libraries'
    warnings only with ``-v``, as Python shows them; none with ``-q``."""
    from ..util import WeakMatchWarning

    with warnings.catch_warnings():
        default = warnings.showwarning

        def show(message, category, *args, **kwargs) -> None:  # noqa: ANN001 - the signature of showwarning
            if issubclass(category, WeakMatchWarning):
                console.warn(str(message))
            elif console.verbosity > 0:
                default(message, category, *args, **kwargs)

        warnings.showwarning = show
        yield


def _silence_stdout() -> None:
    """Point standard output at the null device, so that Python's exit does not fail flushing a closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind sys.stdout (captured in tests)
        pass
