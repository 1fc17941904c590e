"""The `mwskit` command line: `mwskit <section> <action> [--parameter value ...]`.

Generated from the specs (`_commands.py`); values are checked by the library's own rules before
anything is sent. Exit status: 0 success; 1 an MWS error (JSON on stderr: code, message, type,
request id); 2 a usage or validation error; 3 a transport failure or an unknown outcome.

`import mwskit` never imports this package; `--output yaml` needs PyYAML and `--query` jmespath
(`pip install 'mwskit[cli]'`).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from .._runtime.errors import MissingCredentials, MWSError, OutcomeUnknown, TransportError
from ._run import Invocation, run
from ._values import UsageError

__all__ = ["main"]

USAGE_ERROR, MWS_ERROR, TRANSPORT_ERROR = 2, 1, 3


def _error_json(error: MWSError, kind: str) -> str:
    return json.dumps(
        {
            "error": type(error).__name__,
            "kind": kind,
            "code": error.code,
            "message": error.message,
            "type": error.error_type,
            "request_id": error.request_id,
            "status_code": error.status_code,
        },
        ensure_ascii=False,
    )


def _debug() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in ("mwskit", "httpx"):  # both redact signatures and tokens
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run one command; returns the exit status (the console script exits with it)."""
    from ._parser import build_parser  # the command tree, built only when a command runs

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, or argparse's own usage error (already printed)
        return int(done.code or 0)
    prog = f"mwskit {args.section.name} {args.action.name}"
    if args.debug:
        _debug()
    try:
        return run(Invocation(args, out, prog))
    except (UsageError, TypeError, ValueError, MissingCredentials) as error:
        # Bad arguments, refused before any I/O by the same checks as the library.
        message = error.message if isinstance(error, MWSError) else str(error)
        print(f"{prog}: error: {message}", file=err)
        return USAGE_ERROR
    except OutcomeUnknown as error:
        print(_error_json(error, "unknown outcome"), file=err)
        return TRANSPORT_ERROR
    except TransportError as error:
        print(_error_json(error, "transport failure"), file=err)
        return TRANSPORT_ERROR
    except MWSError as error:
        print(_error_json(error, "mws error"), file=err)
        return MWS_ERROR
