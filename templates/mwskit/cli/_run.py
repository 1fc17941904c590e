"""One command: read the parameters, check them, then call, page, or only show (--dry-run)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlsplit

from .._client import MWS
from .._runtime.calls import quota_wait
from .._runtime.descriptors import Param
from .._runtime.encoding import encode_parameters
from .._runtime.planner import plan
from .._runtime.policy import RetryPolicy
from .._runtime.signing import canonical_query, string_to_sign
from .._runtime.throttle import Peek
from ._output import merge_pages, plain, query, render
from ._parser import dest
from ._tree import Action, Section
from ._values import UsageError, convert, skeleton

REDACTED = "[redacted]"
_SECRET_PARAMETERS = ("Signature", "MWSAuthToken")


@dataclass(frozen=True, slots=True)
class Invocation:
    args: argparse.Namespace
    out: TextIO
    prog: str


def read_input_json(source: str) -> dict[str, Any]:
    """--cli-input-json: a JSON object from a file, or from standard input for `-`."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--cli-input-json: {source}: {error.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"--cli-input-json: not valid JSON ({error.msg}, line {error.lineno})"
        ) from None
    if not isinstance(data, dict):
        raise UsageError("--cli-input-json: the JSON must be an object of parameters")
    return data


def _raw_values(
    action: Action, args: argparse.Namespace, given: dict[str, Any]
) -> dict[str, tuple[Any, str]]:
    """Each parameter's raw value and where it came from: the options, then `given` (the
    --cli-input-json object)."""
    params = action.operation.params
    keys: dict[str, Param] = {}
    for param in params:
        keys[param.python_name] = keys[param.name] = param
    raw: dict[str, tuple[Any, str]] = {}
    if given:
        for key, value in given.items():
            found = keys.get(key)
            if found is None:
                if action.body is not None and key == action.body.python_name:
                    continue  # the document: read by _document
                allowed = ", ".join(param.python_name for param in params)
                raise UsageError(f"--cli-input-json: no parameter {key!r}; parameters: {allowed}")
            raw[found.python_name] = (value, f"--cli-input-json {key}")
    for option in action.options:
        value = getattr(args, dest(option.python_name))
        if value is not None:
            raw[option.python_name] = (value, option.flag)
    return raw


def _document(action: Action, args: argparse.Namespace, given: dict[str, Any]) -> bytes | None:
    """The request document (a file path, or `-` for standard input) of an action that sends one."""
    if action.body is None:
        return None
    source = getattr(args, dest(action.body.python_name))
    if source is None:
        source = given.get(action.body.python_name)
    if not isinstance(source, str):
        raise UsageError(f"{action.body.flag} is required: a file path, or - for standard input")
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"{action.body.flag}: {source}: {error.strerror}") from None


def _dry_run(
    client: MWS,
    section: Section,
    action: Action,
    values: tuple[Any, ...],
    document: bytes | None,
    content_type: str | None,
) -> dict[str, Any]:
    """The request the call would send, built and signed by the client, with the signature
    and auth token redacted; how long the documented quotas would make it wait now; and the
    quota planner's answer for the whole call (a long batch list goes in several requests, the
    first of which is shown)."""
    session = client._session
    operation = action.operation
    batch, items = operation.batch_index, 1
    first = values
    if batch is not None and values[batch]:
        items, limit = len(values[batch]), operation.params[batch].max_items
        first = (*values[:batch], tuple(values[batch])[:limit], *values[batch + 1 :])
    request = session.builder.build(section.spec, operation, first, document, content_type)
    parts = urlsplit(request.url)
    # The parameters travel in the form body, or in the query when the body is the document.
    body = request.body
    form = operation.body is None and isinstance(body, bytes)
    query_text = body.decode("ascii") if form and isinstance(body, bytes) else parts.query
    pairs = [
        (name, REDACTED if name in _SECRET_PARAMETERS else value)
        for name, value in parse_qsl(query_text, keep_blank_values=True)
    ]
    signed = [(name, value) for name, value in pairs if name != "Signature"]
    host = parts.netloc.lower()
    # The plan first: quota_wait takes the first request's units from the bucket.
    bucket = session.context.bucket(section.spec, operation)
    now = session.config.timer.monotonic()
    workload = plan(operation, items, 1, None if bucket is None else bucket.apply(Peek(), now)[0])
    wait, why = quota_wait(session.context, section.spec, operation, first)
    return {
        "dry_run": True,
        "method": request.method,
        "url": f"{parts.scheme}://{parts.netloc}{parts.path}",
        "headers": dict(request.headers),
        "parameters": dict(pairs),
        "canonical_query": canonical_query(signed),
        "string_to_sign": string_to_sign(request.method, host, parts.path, signed),
        "throttling": {
            "quota": action.throttling,
            "wait_seconds": round(wait, 3),
            "reason": why or None,
            "requests": workload.requests,
            "plan": str(workload),
        },
    }


def run(invocation: Invocation) -> int:
    args = invocation.args
    section: Section = args.section
    action: Action = args.action
    operation = action.operation
    if args.generate_cli_skeleton:
        fields = {param.python_name: skeleton(param) for param in operation.params}
        if action.body is not None:
            fields[action.body.python_name] = "path/to/file"
        print(json.dumps(fields, indent=2), file=invocation.out)
        return 0
    given = read_input_json(args.cli_input_json) if args.cli_input_json else {}
    params = {param.python_name: param for param in operation.params}
    arguments = {
        name: convert(params[name], value, where)
        for name, (value, where) in _raw_values(action, args, given).items()
    }
    values = tuple(arguments.get(param.python_name) for param in operation.params)
    encode_parameters(operation, values)  # the library's checks, before any I/O
    document = _document(action, args, given)
    content_type = getattr(args, "content_type", None)
    retries = RetryPolicy(max_attempts=args.max_attempts)
    options = {"region": args.region, "profile": args.profile, "endpoint": args.endpoint}
    with MWS(**options, retries=retries) as client:
        if args.dry_run:
            data: Any = _dry_run(client, section, action, values, document, content_type)
        else:
            data = _call(client, section, action, args, arguments, document, invocation.out)
            if data is None:
                return 0
    if args.query:
        data = query(data, args.query)
    print(render(data, args.output), file=invocation.out)
    return 0


def _call(
    client: MWS,
    section: Section,
    action: Action,
    args: argparse.Namespace,
    arguments: dict[str, Any],
    document: bytes | None,
    out: TextIO,
) -> Any:
    """Call the client's method (or its page iterator); None when a document went to stdout."""
    methods = getattr(client, section.module)
    if action.body is not None:
        arguments[action.body.python_name] = document
        arguments.update(content_type=args.content_type, marketplace=args.marketplace)
    if getattr(args, "all_pages", False):
        return merge_pages(getattr(methods, str(action.pages))(**arguments))
    if action.operation.document:
        arguments.update(destination=args.destination, marketplace=args.marketplace)
    result = getattr(methods, action.operation.method)(**arguments)
    if action.operation.document and args.destination is None:
        out.flush()
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            buffer.write(result.body)
            buffer.flush()
        else:  # a text stream without bytes (tests): the document's text as it decodes
            out.write(result.body.decode(result.encoding or "utf-8", "replace"))
        return None
    return plain(result)
