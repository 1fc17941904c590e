"""`python -m mwskit.sandbox --port 8765 --access-key AK --secret-key SK`: serve the sandbox.

Key pairs come from repeated --access-key/--secret-key options, from a file
(`--credentials-file PATH`, one `AK:SK` a line) and from the MWSKIT_SANDBOX_CREDENTIALS
environment variable (`AK1:SK1,AK2:SK2`); the file and the variable keep secrets off the
command line. `--ipn-url URL` sends Amazon Pay's signed IPNs there; `--ipn-certificate PATH`
writes the certificate they are signed with, for the merchant's verifier to trust.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .._runtime.errors import MWSError
from . import (
    FaultConfig,
    Sandbox,
    ServerLimits,
    StateLimits,
    parse_credentials,
    read_credentials_file,
    serve,
)

ENVIRONMENT_VARIABLE = "MWSKIT_SANDBOX_CREDENTIALS"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mwskit.sandbox",
        description="A local MWS sandbox serving every section and action of the specs.",
        epilog=(
            "Amazon Pay: the buyer's widget is played by the ids you choose. An order reference "
            "id not seen before, of the sandbox form S01-1234567-1234567, is a Draft order "
            "reference the buyer just made (a billing agreement: C01-1234567-1234567) when "
            "GetOrderReferenceDetails or SetOrderReferenceDetails (GetBillingAgreementDetails, "
            "SetBillingAgreementDetails) first names it. Sandbox simulation strings in the notes "
            "are honoured on the path /OffAmazonPayments_Sandbox/2013-01-01."
        ),
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
    parser.add_argument(
        "--credentials-file", metavar="PATH", help="a file of ACCESS_KEY:SECRET_KEY lines"
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
    parser.add_argument(
        "--lost-answer-rate",
        type=float,
        default=0.0,
        help="rate of answers lost after the action ran (connection dropped)",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    server, state = ServerLimits(), StateLimits()
    limits = (
        ("--timeout", float, server.timeout, "seconds a silent connection is kept"),
        ("--max-connections", int, server.max_connections, "connections served at once"),
        ("--max-body", int, server.max_body, "largest request body, in bytes"),
        ("--max-next-tokens", int, state.next_tokens, "NextTokens kept redeemable"),
        ("--max-submissions", int, state.submissions, "feeds (and report requests) kept"),
        ("--max-payments", int, state.payments, "Amazon Pay objects kept, of each kind"),
    )
    for option, kind, default, text in limits:
        parser.add_argument(option, type=kind, default=default, help=f"{text} (default {default})")
    parser.add_argument(
        "--verbose", action="store_true", help="log each request to stderr (secrets redacted)"
    )
    parser.add_argument(
        "--ipn-url", metavar="URL", help="POST a signed Amazon Pay IPN for each change of state"
    )
    parser.add_argument(
        "--ipn-certificate",
        metavar="PATH",
        help="write the PEM certificate the IPNs are signed with (needs --ipn-url)",
    )
    return parser


def _ipn(parser: argparse.ArgumentParser, args: argparse.Namespace, sandbox: Sandbox) -> None:
    """Say (and write, with --ipn-certificate) what a merchant's IPN verifier must trust."""
    if sandbox.ipn is None:
        if args.ipn_certificate is not None:
            parser.error("--ipn-certificate needs --ipn-url")
        return
    if args.ipn_certificate is not None:
        try:
            Path(args.ipn_certificate).write_bytes(sandbox.ipn.certificate_pem)
        except OSError as error:
            parser.error(f"--ipn-certificate: cannot write {args.ipn_certificate}: {error}")
    print(
        f"mwskit sandbox: IPNs to {sandbox.ipn.url}, signed by the certificate at "
        f"{sandbox.ipn.certificate_url}, topic {sandbox.ipn.topic_arn}",
        file=sys.stderr,
    )


def _credentials(parser: argparse.ArgumentParser, args: argparse.Namespace) -> dict[str, str]:
    if len(args.access_key) != len(args.secret_key):
        parser.error("give one --secret-key for each --access-key")
    try:
        credentials = parse_credentials(os.environ.get(ENVIRONMENT_VARIABLE, ""))
    except ValueError as error:
        parser.error(f"{ENVIRONMENT_VARIABLE}: {error}")
    if args.credentials_file is not None:
        try:
            credentials.update(read_credentials_file(args.credentials_file))
        except ValueError as error:
            parser.error(str(error))
    credentials.update(zip(args.access_key, args.secret_key, strict=False))
    if not credentials:
        parser.error(f"give --access-key and --secret-key (or set {ENVIRONMENT_VARIABLE})")
    return credentials


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    credentials = _credentials(parser, args)
    try:
        server_limits = ServerLimits(args.timeout, args.max_connections, args.max_body)
        state_limits = StateLimits(
            next_tokens=args.max_next_tokens,
            submissions=args.max_submissions,
            payments=args.max_payments,
        )
    except ValueError as error:
        parser.error(str(error))
    faults = FaultConfig(
        error_500_rate=args.error_500_rate,
        error_503_rate=args.error_503_rate,
        reset_rate=args.reset_rate,
        malformed_rate=args.malformed_rate,
        lost_answer_rate=args.lost_answer_rate,
        latency=args.latency,
    )
    try:
        sandbox = Sandbox(
            credentials,
            seed=args.seed,
            strict=args.strict,
            throttling=not args.no_throttling,
            faults=faults,
            limits=state_limits,
            ipn_url=args.ipn_url,
        )
    except (ValueError, MWSError) as error:  # bad options; IPNs without the ipn extra
        parser.error(str(error))
    _ipn(parser, args, sandbox)
    try:
        serve(sandbox, args.host, args.port, verbose=args.verbose, limits=server_limits)
    except OSError as error:
        print(f"mwskit sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
