"""The sandbox's checks of a request, each raising the `Refusal` MWS answered with.

The signature (SigV2, HmacSHA256 and HmacSHA1, through the client's own `signing`), the
Timestamp (15 minutes) or Expires, the seller, the quotas, and every parameter: required,
kind, allowed values, lengths, ranges and list limits through the rules the client's encoder
uses (`mwskit._runtime.rules`), the constraints between parameters, SubmitFeed's
ContentMD5Value, and unknown names in strict mode.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

from .._runtime import rules
from .._runtime.descriptors import STRUCTURE, Operation, Param, SectionSpec
from .._runtime.documents import content_md5
from .._runtime.signing import SIGNATURE_METHODS, Signer, string_to_sign
from .answers import Refusal, format_time, invalid, missing
from .state import QuotaState, epoch_to_datetime

MAX_SKEW = timedelta(minutes=15)
COMMON = frozenset(
    {
        "AWSAccessKeyId",
        "Action",
        "Expires",
        "MWSAuthToken",
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
        "Timestamp",
        "Version",
    }
)


@dataclass(frozen=True, slots=True)
class SandboxRequest:
    """A request that passed every check, as fixtures see it.

    `values` holds each parameter given, keyed by wire name (`MarketplaceId`), decoded: lists
    are lists, structures are dicts keyed by field wire name; scalars stay text.
    `sandbox_path`: it came on the section's sandbox path (Amazon Pay's
    `/OffAmazonPayments_Sandbox/2013-01-01`), not its production path.
    """

    section: SectionSpec
    operation: Operation[Any]
    seller_id: str
    params: Mapping[str, str]
    values: Mapping[str, Any]
    body: bytes
    request_id: str
    sandbox_path: bool = False


def parse_pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs


# ---------------------------------------------------------------- who sends, and when


def authenticate(
    credentials: Mapping[str, str],
    method: str,
    host: str,
    path: str,
    params: Mapping[str, str],
    now: Callable[[], datetime],
) -> None:
    """The SigV2 signature of `params` under the secret of their access key, then the time."""
    for name in ("AWSAccessKeyId", "SignatureVersion", "SignatureMethod", "Signature"):
        if not params.get(name):
            raise missing(name)
    if params["SignatureVersion"] != "2":
        raise invalid("SignatureVersion", params["SignatureVersion"], "It must be 2.")
    signature_method = params["SignatureMethod"]
    if signature_method not in SIGNATURE_METHODS:
        allowed = ", ".join(sorted(SIGNATURE_METHODS))
        raise invalid("SignatureMethod", signature_method, f"It must be one of: {allowed}.")
    secret = credentials.get(params["AWSAccessKeyId"])
    if secret is None:
        raise Refusal(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
        )
    unsigned = [(name, value) for name, value in params.items() if name != "Signature"]
    expected = Signer(secret, signature_method).sign(string_to_sign(method, host, path, unsigned))
    if not hmac.compare_digest(expected.encode("ascii"), params["Signature"].encode("utf-8")):
        raise Refusal(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.",
        )
    check_time(params, now())


def check_time(params: Mapping[str, str], now: datetime) -> None:
    """A Timestamp within 15 minutes of `now`, or an Expires still ahead; not both."""
    stamp, expires = params.get("Timestamp"), params.get("Expires")
    if stamp is not None and expires is not None:
        raise Refusal(
            400,
            "InvalidParameterValue",
            "Request cannot contain both Timestamp and Expires.",
        )
    if stamp is None and expires is None:
        raise missing("Timestamp")
    name, text = ("Timestamp", stamp) if stamp is not None else ("Expires", expires)
    assert text is not None
    when = rules.parse_datetime(text)
    if when is None:
        raise invalid(name, text, "It must be an ISO 8601 date and time.")
    if name == "Timestamp" and abs(when - now) > MAX_SKEW:
        raise Refusal(400, "RequestExpired", f"Request has expired. Timestamp date is {text}.")
    if name == "Expires" and when < now:
        raise Refusal(400, "RequestExpired", f"Request has expired. Expires date is {text}.")


def check_version(section: SectionSpec, params: Mapping[str, str]) -> None:
    version = params.get("Version")
    if version is None:
        raise missing("Version")
    if version != section.version:
        raise invalid("Version", version, f"It must be {section.version}.")


def seller_of(section: SectionSpec, params: Mapping[str, str]) -> str:
    for name in (section.seller_parameter, *section.seller_parameter_alternatives):
        value = params.get(name)
        if value:
            return value
    raise missing(section.seller_parameter)


def check_quota(
    state: QuotaState, section: SectionSpec, operation: Operation[Any], now: float
) -> None:
    """Raise the 503 of a refused quota (`state` from `Quotas.take`), with its quota headers."""
    if state.refused is None:
        return
    headers: tuple[tuple[str, str], ...] = ()
    if state.hourly is not None:
        headers = quota_headers(state, now)
    if state.refused == "QuotaExceeded":
        resets = format_time(epoch_to_datetime(state.resets_on or now))
        raise Refusal(
            503,
            "QuotaExceeded",
            f"You exceeded your quota of {state.hourly} requests per 1 hour for operation "
            f"{section.name}/{section.version}/{operation.name}. "
            f"Your quota will reset on {resets}",
            headers=headers,
        )
    raise Refusal(503, "RequestThrottled", "Request is throttled", headers=headers)


def quota_headers(state: QuotaState, now: float = 0.0) -> tuple[tuple[str, str], ...]:
    """The `x-mws-quota-*` headers of an hourly quota."""
    return (
        ("x-mws-quota-max", str(state.hourly)),
        ("x-mws-quota-remaining", str(state.remaining)),
        ("x-mws-quota-resetsOn", format_time(epoch_to_datetime(state.resets_on or now))),
    )


# ---------------------------------------------------------------- parameters


_REASONS = {
    rules.NOT_INTEGER: "It must be an integer.",
    rules.TOO_MANY_DIGITS: f"It must be an integer of at most {rules.MAX_INTEGER_DIGITS} digits.",
    rules.NOT_DECIMAL: "It must be a decimal number.",
    rules.NOT_BOOLEAN: "It must be true or false.",
    rules.NOT_DATETIME: "It must be an ISO 8601 date and time.",
    rules.NOT_DATE: "It must be a date (YYYY-MM-DD).",
}


def _reason(param: Param, broken: rules.Violation) -> str:
    """How an MWS error message words the rule a parameter's text breaks."""
    rule = broken.rule
    if rule == rules.NOT_ALLOWED:
        assert param.values is not None
        return f"It must be one of: {', '.join(sorted(param.values))}."
    if rule == rules.TOO_LONG:
        return f"It must be at most {param.max_length} characters long."
    if rule == rules.TOO_SHORT:
        return f"It must be at least {param.min_length} characters long."
    if rule == rules.BELOW_MIN:
        return f"It must be at least {param.min_value}."
    if rule == rules.ABOVE_MAX:
        return f"It must be at most {param.max_value}."
    return _REASONS.get(rule, "It is not valid.")


def _check_scalar(param: Param, wire: str, text: str) -> str:
    """Validate one scalar's text by the shared rules; return it unchanged."""
    broken = rules.check_wire(param, text)
    if broken is not None:
        raise invalid(wire, text, _reason(param, broken))
    return text


def _read_value(
    param: Param, wire: str, params: Mapping[str, str], consumed: set[str]
) -> Any | None:
    """One item: a structure's fields under `wire.` or the scalar at `wire`."""
    if param.kind == STRUCTURE:
        assert param.shape is not None
        return _read_fields(param.shape.fields, wire + ".", params, consumed)
    text = params.get(wire)
    if text is None:
        return None
    consumed.add(wire)
    return _check_scalar(param, wire, text)


def _read_param(
    param: Param, prefix: str, params: Mapping[str, str], consumed: set[str]
) -> Any | None:
    """The decoded value of `param` (None when absent); raises Refusal when invalid."""
    if not param.is_list:
        return _read_value(param, prefix + param.wire, params, consumed)
    head = prefix + param.wire
    tail = r"\." if param.kind == STRUCTURE else "$"
    pattern = re.compile(re.escape(head) + r"([1-9][0-9]{0,8})" + tail)
    indexes = sorted({int(found.group(1)) for key in params if (found := pattern.match(key))})
    if rules.check_item_count(param, len(indexes)) is not None:
        raise Refusal(
            400,
            "InvalidParameterValue",
            f"Parameter {prefix}{param.pattern} accepts at most {param.max_items} values; "
            f"got {len(indexes)}.",
        )
    items = [_read_value(param, f"{head}{index}", params, consumed) for index in indexes]
    return [item for item in items if item is not None] or None


def _read_fields(
    fields: Sequence[Param], prefix: str, params: Mapping[str, str], consumed: set[str]
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    for item in fields:
        value = _read_param(item, prefix, params, consumed)
        if value is not None:
            values[item.name] = value
    if not values:
        return None
    for item in fields:
        if item.required and item.name not in values:
            raise missing(prefix + item.pattern)
    return values


def _check_constraints(operation: Operation[Any], values: Mapping[str, Any]) -> None:
    given = {param.python_name for param in operation.params if param.name in values}
    broken = rules.broken_constraint(operation.constraints, given)
    if broken is None:
        return
    wire = {param.python_name: param.pattern for param in operation.params}
    rule = broken.constraint
    names = ", ".join(wire.get(name, name) for name in rule.parameters)
    if rule.kind == "exactly_one_of" and broken.none_given:
        raise Refusal(
            400, "MissingParameter", f"The request must contain one of the parameters {names}."
        )
    if rule.kind != "excludes":
        raise Refusal(
            400, "InvalidParameterValue", f"Only one of the parameters {names} may be given."
        )
    assert rule.parameter is not None
    others = ", ".join(wire.get(name, name) for name in broken.present)
    raise Refusal(
        400,
        "InvalidParameterValue",
        f"Parameter {wire.get(rule.parameter, rule.parameter)} cannot be combined with {others}.",
    )


def _check_content_md5(
    operation: Operation[Any], params: Mapping[str, str], document: bytes, consumed: set[str]
) -> None:
    assert operation.body is not None
    md5_name = operation.body.md5_parameter
    consumed.add(md5_name)
    given = params.get(md5_name)
    if not given:
        raise missing(md5_name)
    actual = content_md5(document)
    if given != actual:
        raise Refusal(
            400,
            "ContentMD5DoesNotMatch",
            f"the Content-MD5 HTTP header you passed for your feed ({given}) did not "
            f"match the Content-MD5 we calculated for your feed ({actual})",
        )


def read_parameters(
    section: SectionSpec,
    operation: Operation[Any],
    params: Mapping[str, str],
    document: bytes,
    *,
    strict: bool,
) -> dict[str, Any]:
    """The operation's parameters decoded (see `SandboxRequest.values`), every check passed."""
    consumed = set(COMMON)
    consumed.add(section.seller_parameter)
    consumed.update(section.seller_parameter_alternatives)
    values: dict[str, Any] = {}
    for param in operation.params:
        value = _read_param(param, "", params, consumed)
        if value is None:
            if param.required:
                raise missing(param.pattern)
        else:
            values[param.name] = value
    if operation.body is not None:
        _check_content_md5(operation, params, document, consumed)
    _check_constraints(operation, values)
    if strict:
        unknown = sorted(name for name in params if name not in consumed)
        if unknown:
            raise Refusal(
                400,
                "InvalidParameterValue",
                f"Parameter {unknown[0]} is not valid for the action {operation.name}.",
            )
    return values
