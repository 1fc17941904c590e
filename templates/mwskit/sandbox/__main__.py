"""`python -m mwskit.sandbox --port 8765 --access-key AK --secret-key SK`: serve the sandbox.

Key pairs come from repeated --access-key/--secret-key options and from the
MWSKIT_SANDBOX_CREDENTIALS environment variable (`AK1:SK1,AK2:SK2`).
"""

from __future__ import annotations

import argparse
import os
import sys

from . import FaultConfig, Sandbox, parse_credentials, serve

ENVIRONMENT_VARIABLE = "MWSKIT_SANDBOX_CREDENTIALS"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mwskit.sandbox",
        description="A local MWS sandbox serving every section and action of the specs.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free)")
    parser.add_argument("--access-key", action="append", default=[], help="an access key")
    parser.add_argument(
        "--secret-key",
        action="append",
        default=[],
        help="the secret of the access key at its position",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of generated answers and faults")
    parser.add_argument("--strict", action="store_true", help="refuse unknown parameters")
    parser.add_argument("--no-throttling", action="store_true", help="do not enforce quotas")
    parser.add_argument("--error-500-rate", type=float, default=0.0, help="rate of injected 500s")
    parser.add_argument("--error-503-rate", type=float, default=0.0, help="rate of injected 503s")
    parser.add_argument("--reset-rate", type=float, default=0.0, help="rate of connection resets")
    parser.add_argument(
        "--malformed-rate", type=float, default=0.0, help="rate of malformed bodies"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if len(args.access_key) != len(args.secret_key):
        parser.error("give one --secret-key for each --access-key")
    try:
        credentials = parse_credentials(os.environ.get(ENVIRONMENT_VARIABLE, ""))
    except ValueError as error:
        parser.error(f"{ENVIRONMENT_VARIABLE}: {error}")
    credentials.update(zip(args.access_key, args.secret_key, strict=False))
    if not credentials:
        parser.error(f"give --access-key and --secret-key (or set {ENVIRONMENT_VARIABLE})")
    faults = FaultConfig(
        error_500_rate=args.error_500_rate,
        error_503_rate=args.error_503_rate,
        reset_rate=args.reset_rate,
        malformed_rate=args.malformed_rate,
        latency=args.latency,
    )
    sandbox = Sandbox(
        credentials,
        seed=args.seed,
        strict=args.strict,
        throttling=not args.no_throttling,
        faults=faults,
    )
    try:
        serve(sandbox, args.host, args.port, verbose=args.verbose)
    except OSError as error:
        print(f"mwskit sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
