"""The one list of runtime names generated code may import.

Generated modules reach the handwritten runtime (`mwskit/_runtime/`) only through these names.
`check_runtime_imports` reads every rendered Python file and reports any other runtime name it
imports; tests/generator/test_runtime_symbols.py runs it on every rendered file and checks that
each name listed here exists in the runtime and is used.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping

RUNTIME_PACKAGE = "mwskit._runtime"

RUNTIME_SYMBOLS: Mapping[str, frozenset[str]] = {
    # The runtime's public face (mwskit/_runtime/__init__.py).
    RUNTIME_PACKAGE: frozenset(
        {
            # client configuration and sessions (mwskit/_client.py, <section>/client.py)
            "AsyncSession",
            "ClientConfig",
            "SYSTEM_TIMER",
            "SyncSession",
            "resolve_credentials",
            # results and errors re-exported by mwskit and returned by methods
            "ContentMD5Mismatch",
            "Document",
            "EncodingProblem",
            "Event",
            "MissingCredentials",
            "MWSError",
            "MWSResult",
            "OutcomeUnknown",
            "PreflightReport",
            "ResponseParseError",
            "RetryPolicy",
            "ThrottleWouldWait",
            "ThrottledError",
            "Timer",
            # throttle stores: the client option throttle_store= and what mwskit exports
            "RedisThrottleStore",
            "ThrottleStore",
            "ThrottleStoreError",
            # the quota planner's answer (<section>/client.py `plan`)
            "QuotaPlan",
            # descriptors (<section>/_operations.py)
            "ATTRIBUTE",
            "BodySpec",
            "Constraint",
            "Operation",
            "Param",
            "ReferenceIdSpec",
            "ReferenceLookup",
            "ResultField",
            "ResultShapeSpec",
            "SAME_SHAPE",
            "SectionSpec",
            "ShapeSpec",
            "TEXT",
            "ThrottlingSpec",
            # dataclasses written out as source (<section>/models.py)
            "DEFAULT_FACTORY",
            "source_dataclass",
            # the readers' building blocks (<section>/_readers.py)
            "NO_EXTRA",
            "attribute_text",
            "convert_text",
            "enum_member",
            "local_tag",
            "refuse_missing",
            "tag_slot",
        }
    ),
    # Documents: downloads and feed bodies with their marketplace charsets (<section>/client.py).
    f"{RUNTIME_PACKAGE}.documents": frozenset(
        {"Destination", "Download", "FeedSource", "flat_file_encoding_for", "report_encoding_for"}
    ),
}


# The MWS error codes the runtime already raises its own class for (mwskit/_runtime/errors.py
# error_class_for): a section listing one of them keeps that class instead of generating one.
# tests/generator/test_runtime_symbols.py checks this against the runtime.
RUNTIME_ERROR_CODES = frozenset(
    {
        "AccessDenied",
        "ContentMD5DoesNotMatch",
        "InputStreamDisconnected",
        "InternalError",
        "InvalidAccessKeyId",
        "InvalidAddress",
        "InvalidClientTokenId",
        "InvalidParameterValue",
        "InvalidRequest",
        "MissingParameter",
        "QuotaExceeded",
        "RequestExpired",
        "RequestThrottled",
        "ServiceUnavailable",
        "SignatureDoesNotMatch",
    }
)


class RuntimeSymbolError(ValueError):
    """Generated code would use a runtime name that is not on the list."""


def allowed(module: str, names: Iterable[str]) -> tuple[str, ...]:
    """The names, sorted, after checking each is on the list for `module` (RuntimeSymbolError)."""
    chosen = tuple(sorted(set(names)))
    unknown = [name for name in chosen if name not in RUNTIME_SYMBOLS.get(module, frozenset())]
    if unknown:
        raise RuntimeSymbolError(
            f"{module}: {unknown} not in generator/python/runtime_symbols.py RUNTIME_SYMBOLS"
        )
    return chosen


def _module_of(package: str, node: ast.ImportFrom) -> str:
    """The absolute module an import names, for a file in `package`."""
    parts = package.split(".")
    if node.level:
        parts = parts[: len(parts) - node.level + 1]
    return ".".join([*parts, *([node.module] if node.module else [])])


def runtime_imports(path: str, text: str) -> Iterator[tuple[str, str]]:
    """Every (runtime module, name) a generated file at `path` (e.g. mwskit/orders/client.py)
    imports or reads as an attribute of an imported runtime module (`rt.Param`)."""
    package = path.removesuffix(".py").replace("/", ".")
    if not path.endswith("/__init__.py"):
        package = package.rsplit(".", 1)[0]
    else:
        package = package.removesuffix(".__init__")
    aliases: dict[str, str] = {}
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = _module_of(package, node)
        for alias in node.names:
            full = f"{module}.{alias.name}"
            if full in RUNTIME_SYMBOLS:  # a runtime module itself: `from .. import _runtime as rt`
                aliases[alias.asname or alias.name] = full
            elif module == RUNTIME_PACKAGE or module.startswith(RUNTIME_PACKAGE + "."):
                yield module, alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            yield aliases[node.value.id], node.attr


def check_runtime_imports(files: Mapping[str, str]) -> list[str]:
    """`path: module.name` for every runtime name a generated Python file uses off the list."""
    problems: list[str] = []
    for path, text in sorted(files.items()):
        if not path.endswith(".py"):
            continue
        for module, name in sorted(set(runtime_imports(path, text))):
            if name not in RUNTIME_SYMBOLS.get(module, frozenset()):
                problems.append(f"{path}: {module}.{name}")
    return problems
