"""The runtime's layering: every module imports only modules below it, and each rule lives once.

Bottom to top: errors, policy, documents, signing, the dataclass helper and the shared TLS context; XML and credentials; typed results; descriptors; the
argument rules; encoding, throttling and response parsing; request building and the Redis
throttle store; the call engine; batch splitting; the sessions; the workflow runner. The call engine (calls.py) builds requests through
request.py below it and never reaches up into the sessions (client.py) that carry its steps out.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "templates" / "mwskit" / "_runtime"

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "policy", "documents", "signing", "dataclass_source", "tls"}),
    frozenset({"xml", "credentials"}),
    frozenset({"results"}),
    frozenset({"descriptors"}),
    frozenset({"rules"}),
    frozenset({"encoding", "throttle", "response"}),
    frozenset({"request", "redis_store"}),
    frozenset({"calls"}),
    frozenset({"batches", "planner"}),
    frozenset({"client"}),
    frozenset({"workflows"}),
    frozenset({"__init__"}),
)


def _core_modules() -> list[Path]:
    # The sandbox is leaving the runtime for its own package; it is not part of the core.
    return sorted(path for path in RUNTIME.glob("*.py") if not path.stem.startswith("sandbox"))


def _runtime_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def _layer(module: str) -> int:
    return next(index for index, layer in enumerate(LAYERS) if module in layer)


def test_every_core_module_has_a_layer() -> None:
    placed = set().union(*LAYERS)
    assert sorted(path.stem for path in _core_modules() if path.stem not in placed) == []


def test_modules_import_only_from_lower_layers() -> None:
    upward = [
        f"{path.stem} imports {target}"
        for path in _core_modules()
        for target in sorted(_runtime_imports(path))
        if not target.startswith("sandbox") and _layer(target) >= _layer(path.stem)
    ]
    assert upward == []


def test_the_call_engine_is_typed_against_the_request_builder() -> None:
    from mwskit._runtime.calls import CallContext
    from mwskit._runtime.request import RequestBuilder

    assert CallContext.__annotations__["builder"] in ("RequestBuilder", RequestBuilder)


def test_one_md5_helper_and_one_signing_rule() -> None:
    """Base64 MD5 only in documents.py; HMAC, base64 signatures and percent-encoding only in
    signing.py."""
    owners = {"hashlib.md5": {"documents"}, "b64encode": {"documents", "signing"}}
    owners.update({"hmac": {"signing"}, "quote(": {"signing"}})
    strays = [
        f"{path.stem}: {needle}"
        for path in _core_modules()
        for needle, allowed in owners.items()
        if path.stem not in allowed and needle in path.read_text(encoding="utf-8")
    ]
    assert strays == []
