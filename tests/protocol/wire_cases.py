"""The wire cases of tests/protocol/cases/*.yaml, built into real operations by the generator.

Each case holds a spec fragment (`given`: the `parameters`, and `shapes`, `enums` and
`constraints` when needed, of one action, written as in specs/*.yaml), the Python `arguments`
of a call, and either the `wire` pairs the client sends (in the encoder's order, before
percent-encoding and signing) with what a server `read`s from them, or the `error` the call
raises before any I/O (with, when the mistake has a wire form, what the sandbox answers to it:
`refused`).

All cases of a session are generated at once: every case becomes one section of one temporary
spec directory (so cases never share shape or enum names), run through the real
`generator.pipeline.build_model` and `generator.render.render`; the rendered section packages
are then imported as `mwskit._<section module>` so their relative imports reach the installed
runtime. Nothing here builds a descriptor by hand.

Argument tags: `!decimal "1.50"`, `!datetime 2024-01-01T00:00:00+05:30` (no offset: naive),
`!date 2024-03-04`, `!tuple [..]`, `!iter [..]` (a one-shot generator), `!bytes abc`,
`!shape:Address {...}` (the generated dataclass), `!enum:OrderStatus UNSHIPPED` (the member).
YAML timestamps are not resolved implicitly, so `2024-03-04` is a string unless tagged.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import importlib
import importlib.util
import re
import shutil
import string
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import yaml

from generator.errors import SpecErrors
from generator.pipeline import build_model
from generator.render import render

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = Path(__file__).resolve().parent / "cases"
TEMPLATES = ROOT / "templates"
MARKETPLACES = ROOT / "tests" / "golden" / "specs" / "marketplaces.yaml"

ACCESS_KEY = "AKPROTOCOLCASES"
SECRET_KEY = "protocol/cases+secret"
SELLER_ID = "A1PROTOCOLSELLER"
FIXED_NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
TIMESTAMP = "2024-01-02T03:04:05Z"
ENDPOINT = "https://mws.amazonservices.com"
HOST = "mws.amazonservices.com"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
VERSION = "2020-01-01"

Pair = tuple[str, str]


# ------------------------------------------------------------------ reading the case files


@dataclass(frozen=True, slots=True)
class ShapeValue:
    """`!shape:Name {...}`: the generated dataclass `Name` built from these keyword arguments."""

    name: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class EnumMember:
    """`!enum:Name MEMBER`: a member of the generated enum `Name`."""

    enum: str
    member: str


@dataclass(frozen=True, slots=True)
class OneShot:
    """`!iter [..]` (a generator) or `!iterator [..]` (`iter(list)`): made afresh for each call."""

    items: tuple[Any, ...]
    generator: bool = True


class _CaseLoader(yaml.SafeLoader):
    """SafeLoader with the argument tags, and without implicit timestamps."""


_CaseLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _scalar(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode), f"line {node.start_mark.line + 1}: expected a scalar"
    return str(loader.construct_scalar(node))


def _date(loader: yaml.SafeLoader, node: yaml.Node) -> date:
    return date.fromisoformat(_scalar(loader, node))


def _datetime(loader: yaml.SafeLoader, node: yaml.Node) -> datetime:
    return datetime.fromisoformat(_scalar(loader, node))


def _sequence(loader: yaml.SafeLoader, node: yaml.Node) -> list[Any]:
    assert isinstance(node, yaml.SequenceNode), f"line {node.start_mark.line + 1}: expected a list"
    return loader.construct_sequence(node, deep=True)


def _shape(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> ShapeValue:
    assert isinstance(
        node, yaml.MappingNode
    ), f"line {node.start_mark.line + 1}: expected a mapping"
    return ShapeValue(suffix, loader.construct_mapping(node, deep=True))


def _enum(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> EnumMember:
    return EnumMember(suffix, _scalar(loader, node))


_CaseLoader.add_constructor("!decimal", lambda loader, node: Decimal(_scalar(loader, node)))
_CaseLoader.add_constructor("!date", _date)
_CaseLoader.add_constructor("!datetime", _datetime)
_CaseLoader.add_constructor("!tuple", lambda loader, node: tuple(_sequence(loader, node)))
_CaseLoader.add_constructor("!iter", lambda loader, node: OneShot(tuple(_sequence(loader, node))))
_CaseLoader.add_constructor(
    "!iterator", lambda loader, node: OneShot(tuple(_sequence(loader, node)), generator=False)
)
_CaseLoader.add_constructor("!bytes", lambda loader, node: _scalar(loader, node).encode())
_CaseLoader.add_multi_constructor("!shape:", _shape)
_CaseLoader.add_multi_constructor("!enum:", _enum)


@dataclass(frozen=True, slots=True)
class ClientError:
    """What the call raises before any I/O: exception type, exact message, wire name it names."""

    type: type[Exception]
    message: str
    parameter: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """How the sandbox answers the wire form of an invalid call."""

    wire: tuple[Pair, ...]
    status: int
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Difference:
    """A documented parameter line the client sends differently, and why that is not a bug."""

    documented: str
    sent: str
    why: str


@dataclass(frozen=True, slots=True)
class Example:
    """A documented example request of a real operation, as printed in the docs.

    `documented` holds its `name=value` lines as printed (percent-encoded, the Signature line
    left out: the docs' signatures are placeholders ending in EXAMPLE). The installed client,
    made with the example's credentials and time and this suite's SECRET_KEY, must send
    exactly those lines (after `differences`) in canonical order, signing `string_to_sign`
    into `signature`.
    """

    source: str
    sandbox: bool
    access_key: str
    seller_id: str
    auth_token: str | None
    timestamp: datetime
    documented: tuple[str, ...]
    differences: tuple[Difference, ...]
    string_to_sign: str
    signature: str

    def expected_lines(self) -> list[str]:
        """The documented lines with the differences applied, in canonical (byte) order."""
        replaced = {item.documented: item.sent for item in self.differences}
        lines = [replaced.get(line, line) for line in self.documented]
        return sorted(lines, key=lambda line: tuple(line.split("=", 1)))


_EXAMPLE_KEYS = {
    "source",
    "sandbox",
    "access_key",
    "seller_id",
    "auth_token",
    "timestamp",
    "documented",
    "differences",
    "string_to_sign",
    "signature",
}


def _example(where: str, raw: Any) -> Example:
    if not isinstance(raw, dict) or not set(raw) <= _EXAMPLE_KEYS:
        raise CaseFileError(f"{where}: example keys are {sorted(_EXAMPLE_KEYS)}")
    missing = _EXAMPLE_KEYS - {"auth_token", "differences"} - set(raw)
    if missing:
        raise CaseFileError(f"{where}: example needs {sorted(missing)}")
    documented = raw["documented"]
    if not (isinstance(documented, list) and all(isinstance(x, str) for x in documented)):
        raise CaseFileError(f"{where}: example.documented is a list of name=value lines")
    if any("=" not in line or line.startswith("Signature=") for line in documented):
        raise CaseFileError(f"{where}: example.documented lines are name=value, no Signature")
    differences = []
    for item in raw.get("differences", []):
        if not isinstance(item, dict) or set(item) != {"documented", "sent", "why"}:
            raise CaseFileError(f"{where}: a difference has documented, sent and why")
        if item["documented"] not in documented:
            raise CaseFileError(f"{where}: difference {item['documented']!r} is not documented")
        differences.append(Difference(item["documented"], item["sent"], item["why"]))
    timestamp = raw["timestamp"]
    if not isinstance(timestamp, datetime) or timestamp.tzinfo is None:
        raise CaseFileError(f"{where}: example.timestamp is a !datetime with an offset")
    return Example(
        source=str(raw["source"]),
        sandbox=bool(raw["sandbox"]),
        access_key=str(raw["access_key"]),
        seller_id=str(raw["seller_id"]),
        auth_token=raw.get("auth_token"),
        timestamp=timestamp,
        documented=tuple(documented),
        differences=tuple(differences),
        string_to_sign=str(raw["string_to_sign"]),
        signature=str(raw["signature"]),
    )


@dataclass(frozen=True, slots=True)
class Case:
    file: str  # the case file's stem: scalars, lists, ...
    index: int  # position in its file, from 1
    id: str
    action: str
    given: Mapping[str, Any]
    arguments: Mapping[str, Any]
    wire: tuple[Pair, ...] | None
    encoded: tuple[str, ...] | None  # the exact `name=value` texts, when the case pins them
    read: Mapping[str, Any] | None
    error: ClientError | None
    refused: Refusal | None
    real_operation: str | None  # `orders.get_order`: the same call on the installed client
    disagreement: str | None  # the client and the sandbox read this case differently
    example: Example | None = None  # a documented example request of `real_operation`

    @property
    def name(self) -> str:
        return f"{self.file}:{self.id}"

    @property
    def section(self) -> str:
        camel = "".join(part.capitalize() for part in self.file.split("_"))
        return f"Wire{camel}{self.index:02d}"


_CASE_KEYS = {
    "id",
    "action",
    "given",
    "arguments",
    "wire",
    "encoded",
    "read",
    "error",
    "refused",
    "real_operation",
    "disagreement",
    "example",
}
_GIVEN_KEYS = {"parameters", "shapes", "enums", "constraints"}
_ERRORS = {"TypeError": TypeError, "ValueError": ValueError}


class CaseFileError(Exception):
    pass


def _pairs(where: str, raw: Any) -> tuple[Pair, ...]:
    if not isinstance(raw, list):
        raise CaseFileError(f"{where}: must be a list of [name, value] pairs")
    pairs: list[Pair] = []
    for item in raw:
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)
        ):
            raise CaseFileError(f"{where}: {item!r} is not a [name, value] pair of strings")
        pairs.append((item[0], item[1]))
    return tuple(pairs)


def _texts(where: str, value: Any) -> None:
    """A server reads text: every leaf of `read` must be a (quoted) string."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            _texts(f"{where}.{key}", item)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _texts(f"{where}[{position}]", item)
    elif not isinstance(value, str):
        raise CaseFileError(f"{where}: {value!r} must be a string (quote it)")


def _case(file: str, index: int, raw: Any) -> Case:
    where = f"{file}.yaml case {index}"
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise CaseFileError(f"{where}: a case is a mapping with an id")
    where = f"{file}.yaml case {index} ({raw['id']})"
    unknown = set(raw) - _CASE_KEYS
    if unknown:
        raise CaseFileError(f"{where}: unknown keys {sorted(unknown)}")
    given = raw.get("given")
    if not isinstance(given, dict) or "parameters" not in given or set(given) - _GIVEN_KEYS:
        raise CaseFileError(f"{where}: given holds parameters (and shapes, enums, constraints)")
    if not isinstance(raw.get("action"), str) or not isinstance(raw.get("arguments"), dict):
        raise CaseFileError(f"{where}: needs an action name and an arguments mapping")
    if ("wire" in raw) == ("error" in raw):
        raise CaseFileError(f"{where}: give exactly one of wire and error")
    wire = read = error = refused = encoded = None
    example: Example | None = None
    if "wire" in raw:
        wire = _pairs(f"{where}: wire", raw["wire"])
        if not isinstance(raw.get("read"), dict):
            raise CaseFileError(f"{where}: a valid case says what a server reads (read: {{}})")
        read = raw["read"]
        _texts(f"{where}: read", read)
        if "encoded" in raw:
            encoded = tuple(raw["encoded"])
            if len(encoded) != len(wire) or not all(isinstance(x, str) for x in encoded):
                raise CaseFileError(f"{where}: encoded has one text per wire pair")
        if "refused" in raw:
            raise CaseFileError(f"{where}: a valid case is not refused")
        if "example" in raw:
            if not isinstance(raw.get("real_operation"), str):
                raise CaseFileError(f"{where}: an example belongs to a real_operation")
            example = _example(where, raw["example"])
    else:
        spec = raw["error"]
        if not isinstance(spec, dict) or set(spec) != {"type", "message", "parameter"}:
            raise CaseFileError(f"{where}: error has type, message and parameter")
        if spec["type"] not in _ERRORS or spec["parameter"] not in spec["message"]:
            raise CaseFileError(f"{where}: error type unknown, or its parameter not in its message")
        error = ClientError(_ERRORS[spec["type"]], spec["message"], spec["parameter"])
        if "refused" in raw:
            spec = raw["refused"]
            if not isinstance(spec, dict) or set(spec) != {"wire", "status", "code", "message"}:
                raise CaseFileError(f"{where}: refused has wire, status, code and message")
            refused = Refusal(
                _pairs(f"{where}: refused.wire", spec["wire"]),
                int(spec["status"]),
                str(spec["code"]),
                str(spec["message"]),
            )
    return Case(
        file=file,
        index=index,
        id=raw["id"],
        action=raw["action"],
        given=given,
        arguments=raw["arguments"],
        wire=wire,
        encoded=encoded,
        read=read,
        error=error,
        refused=refused,
        real_operation=raw.get("real_operation"),
        disagreement=raw.get("disagreement"),
        example=example,
    )


def load_file(path: Path) -> list[Case]:
    with path.open(encoding="utf-8") as stream:
        data = yaml.load(stream, Loader=_CaseLoader)
    if not isinstance(data, dict) or set(data) != {"cases"} or not isinstance(data["cases"], list):
        raise CaseFileError(f"{path.name}: a case file is a mapping with one key, cases")
    cases = [_case(path.stem, index, raw) for index, raw in enumerate(data["cases"], 1)]
    ids = [case.id for case in cases]
    duplicates = sorted({name for name in ids if ids.count(name) > 1})
    if duplicates:
        raise CaseFileError(f"{path.name}: duplicate case ids {duplicates}")
    return cases


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


@functools.cache
def all_cases() -> tuple[Case, ...]:
    return tuple(case for path in case_files() for case in load_file(path))


def declared_counts() -> dict[str, int]:
    """Cases per file, counted from the YAML text itself (`- id:` lines), not by the loader."""
    pattern = re.compile(r"^- id: ", re.MULTILINE)
    return {path.stem: len(pattern.findall(path.read_text("utf-8"))) for path in case_files()}


# ------------------------------------------------------------------ one generation per session


@dataclass(frozen=True, slots=True)
class Built:
    """A case's generated section: its descriptors, models and client classes."""

    case: Case
    package: ModuleType
    operations: ModuleType
    models: ModuleType
    client: ModuleType
    section: Any  # mwskit._runtime.SectionSpec
    operation: Any  # mwskit._runtime.Operation
    client_class: type[Any]
    async_client_class: type[Any]


def _section_spec(case: Case) -> dict[str, Any]:
    given = case.given
    action: dict[str, Any] = {
        "description": f"Protocol case {case.name}.",
        "idempotent": True,
        "throttling": {"max_request_quota": 1000, "restore_seconds": 1},
        "parameters": given["parameters"],
    }
    if "constraints" in given:
        action["constraints"] = given["constraints"]
    action["response"] = {"result_element": f"{case.action}Result"}
    spec: dict[str, Any] = {
        "section": case.section,
        "version": VERSION,
        "path": f"/{case.section}/{VERSION}",
        "namespace": f"https://mws.amazonservices.com/{case.section}/{VERSION}",
        "seller_parameter": "SellerId",
        "description": f"Protocol case {case.name} ({case.file}.yaml).",
    }
    for key in ("enums", "shapes"):
        if key in given:
            spec[key] = given[key]
    spec["actions"] = {case.action: action}
    return spec


@dataclass(slots=True)
class _Generation:
    directory: Path
    built: dict[str, Built] = field(default_factory=dict)


def _import_package(name: str, folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


_FAILED: list[BaseException] = []


@functools.cache
def generation() -> _Generation:
    """Every case's section, generated once: specs written, model built, templates rendered."""
    if _FAILED:  # generate once per session even when generating fails
        raise _FAILED[0]
    try:
        return _generate()
    except Exception as error:
        _FAILED.append(error)
        raise


def _generate() -> _Generation:
    import atexit

    import mwskit
    from mwskit._runtime import Operation

    cases = all_cases()
    directory = Path(tempfile.mkdtemp(prefix="mwskit-protocol-"))
    atexit.register(shutil.rmtree, directory, True)
    specs = directory / "specs"
    specs.mkdir()
    shutil.copyfile(MARKETPLACES, specs / "marketplaces.yaml")
    by_file: dict[str, Case] = {}
    for case in cases:
        spec_file = specs / f"{case.file}_{case.index:02d}.yaml"
        spec_file.write_text(
            yaml.safe_dump(_section_spec(case), sort_keys=False, allow_unicode=True), "utf-8"
        )
        by_file[f"specs/{spec_file.name}"] = case
    try:
        api = build_model(sorted(specs.glob("*.yaml")), directory)
    except SpecErrors as errors:
        where = "\n".join(
            f"  {spec} is {case.name}"
            for spec, case in sorted(by_file.items())
            if spec in str(errors)
        )
        raise CaseFileError(f"the case fragments are not valid specs:\n{errors}\n{where}") from None
    files = render(api, TEMPLATES)
    result = _Generation(directory)
    output = directory / "out"
    for section in api.sections:
        case = by_file[section.spec_file]
        folder = output / section.module
        folder.mkdir(parents=True)
        prefix = f"mwskit/{section.module}/"
        for path, rendered in files.items():
            if path.startswith(prefix) and "/" not in path[len(prefix) :]:
                (folder / path[len(prefix) :]).write_text(rendered.text, "utf-8")
        package_name = f"{mwskit.__name__}._{section.module}"
        package = _import_package(package_name, folder)
        operations = importlib.import_module(f"{package_name}._operations")
        found = [value for value in vars(operations).values() if isinstance(value, Operation)]
        assert [operation.name for operation in found] == [case.action], (case.name, found)
        result.built[case.name] = Built(
            case=case,
            package=package,
            operations=operations,
            models=importlib.import_module(f"{package_name}.models"),
            client=importlib.import_module(f"{package_name}.client"),
            section=operations.SECTION,
            operation=found[0],
            client_class=getattr(package, section.client_class),
            async_client_class=getattr(package, section.async_client_class),
        )
    assert sorted(result.built) == sorted(case.name for case in cases)
    return result


def built(case: Case) -> Built:
    return generation().built[case.name]


# ------------------------------------------------------------------ arguments


def materialize(value: Any, models: ModuleType) -> Any:
    """The case's YAML argument as the Python value to pass, with `models`' classes."""
    if isinstance(value, ShapeValue):
        cls = getattr(models, value.name)
        return cls(**{key: materialize(item, models) for key, item in value.fields.items()})
    if isinstance(value, EnumMember):
        return getattr(getattr(models, value.enum), value.member)
    if isinstance(value, OneShot):
        items = [materialize(item, models) for item in value.items]
        return (item for item in items) if value.generator else iter(items)
    if isinstance(value, dict):
        return {key: materialize(item, models) for key, item in value.items()}
    if isinstance(value, list):
        return [materialize(item, models) for item in value]
    if isinstance(value, tuple):
        return tuple(materialize(item, models) for item in value)
    return value


def arguments(case: Case, models: ModuleType) -> dict[str, Any]:
    return {name: materialize(value, models) for name, value in case.arguments.items()}


# ------------------------------------------------------------------ the wire, independently

_UNRESERVED = frozenset((string.ascii_letters + string.digits + "-_.~").encode("ascii"))


def enc(text: str) -> str:
    """RFC 3986 over UTF-8, written here independently of the runtime."""
    return "".join(
        chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in text.encode("utf-8")
    )


def common_pairs(action: str, version: str, seller_parameter: str = "SellerId") -> list[Pair]:
    return [
        ("AWSAccessKeyId", ACCESS_KEY),
        ("Action", action),
        (seller_parameter, SELLER_ID),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Timestamp", TIMESTAMP),
        ("Version", version),
    ]


def canonical(pairs: list[Pair]) -> list[str]:
    """Encoded `name=value` texts sorted by encoded name, then value, in byte order."""
    encoded = sorted((enc(name), enc(value)) for name, value in pairs)
    return [f"{name}={value}" for name, value in encoded]


def signature(string_to_sign: str) -> str:
    """The HmacSHA256 Signature Version 2 signature (base64) of a string to sign, with SECRET_KEY."""
    digest = hmac.new(SECRET_KEY.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_body(pairs: list[Pair], path: str, host: str = HOST) -> bytes:
    """The form body MWS expects for these decoded pairs: canonical order plus the Signature."""
    query = "&".join(canonical(pairs))
    signed = signature(f"POST\n{host}\n{path}\n{query}")
    return f"{query}&Signature={enc(signed)}".encode("ascii")


def decoded_body(body: bytes) -> list[Pair]:
    """The (name, value) pairs of a form body, in the order sent, without the Signature."""
    parts = [part.split("=", 1) for part in body.decode("ascii").split("&")]
    assert parts[-1][0] == "Signature", body
    return [(unquote(name), unquote(value)) for name, value in parts[:-1]]


def case_ids(cases: list[Case]) -> list[str]:
    return [case.name for case in cases]


def iter_files() -> Iterator[tuple[str, list[Case]]]:
    for path in case_files():
        yield path.stem, [case for case in all_cases() if case.file == path.stem]
