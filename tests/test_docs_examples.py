"""Every Python example of the documentation site runs, so no example can rot.

The examples are the ```python blocks of the handwritten guides (docs_src/pages/) and of the
generated reference pages (generated/docs/). ```py blocks are deliberately not run (features
still being built, code that needs a real file or server); any other spelling of a Python fence
fails, so nothing is skipped by accident. The convention is stated for contributors in
docs_src/pages/contributing.md.

The blocks of one page run in order in one namespace, like one interpreter session. Examples
create their client as a user would (`MWS(access_key=..., ...)`); here `mwskit.MWS` and
`mwskit.AsyncMWS` are replaced for the run by subclasses that add `transport=`, an
httpx.MockTransport answering every action with tests/samples/<module>/<Action>.xml when that
file exists, else with a minimal valid answer (and documents with bytes and their Content-MD5).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

import mwskit
from generator.model import Action, Api, Section
from generator.pipeline import build_model

from conftest import ROOT

try:  # the throttling runtime (issue 5); absent in older builds of the package
    from mwskit._runtime import calls as runtime_calls, throttle as runtime_throttle
except ImportError:  # pragma: no cover
    runtime_calls = runtime_throttle = None  # type: ignore[assignment]

GUIDES = ROOT / "docs_src" / "pages"
REFERENCE = ROOT / "generated" / "docs"
SAMPLES = ROOT / "tests" / "samples"

RUN = "python"
NOT_RUN = "py"
PYTHON_FENCE = re.compile(r"^(python|py)(\d|\b)", re.IGNORECASE)  # any spelling of a Python fence
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")

REQUEST_ID = "7b6d3d4a-1c2e-4f5a-9b8c-0d1e2f3a4b5c"
HEADERS = {
    "x-mws-request-id": REQUEST_ID,
    "x-mws-timestamp": "2024-01-02T03:04:05.000Z",
    "x-mws-quota-max": "200",
    "x-mws-quota-remaining": "199",
    "x-mws-quota-resetsOn": "2024-01-02T04:00:00.000Z",
}
# What a report or a feed processing report looks like: a flat file, not XML.
DOCUMENT = "sku\tprice\tquantity\nSKU-1\t9.99\t8\nSKU-2\t12.50\t0\n".encode("cp1252")
ENVIRONMENT = {
    "MWS_ACCESS_KEY": "AKIAEXAMPLEACCESSKEY",
    "MWS_SECRET_KEY": "EXAMPLE/SECRET+KEY",
    "MWS_SELLER_ID": "A1EXAMPLESELLER",
}


@dataclass(frozen=True)
class Block:
    page: str  # path relative to the repository root
    line: int  # 1-based line of the opening fence
    info: str
    code: str


def code_blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file (fences may be indented, as in lists)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        body: list[str] = []
        end = index + 1
        while end < len(lines):
            closing = FENCE.match(lines[end])
            if closing and closing["fence"].startswith(fence) and not closing["info"].strip():
                break
            body.append(lines[end][len(indent) :] if lines[end].startswith(indent) else lines[end])
            end += 1
        else:
            raise AssertionError(f"{path}:{index + 1}: code block is never closed")
        relative = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
        blocks.append(Block(relative, index + 1, opening["info"].strip(), "\n".join(body) + "\n"))
        index = end + 1
    return blocks


def guide_pages() -> list[Path]:
    return sorted(GUIDES.rglob("*.md"))


def reference_pages() -> list[Path]:
    return sorted(REFERENCE.glob("*.md"))


API: Api = build_model(sorted((ROOT / "specs").glob("*.yaml")), ROOT)
SECTIONS_BY_PATH: dict[str, Section] = {section.path: section for section in API.sections}


# -- the stand-in for MWS --------------------------------------------------------------------


@dataclass
class StandIn:
    """Answers every action like MWS would, and records what was called."""

    calls: list[tuple[str, str]] = field(default_factory=list)  # (section module, action)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        section = SECTIONS_BY_PATH.get(request.url.path.rstrip("/"))
        if section is None:
            return httpx.Response(404, text=f"no section at {request.url.path}")
        params = dict(request.url.params)
        if not request.url.params.get("Action"):
            params.update(parse_qsl(request.content.decode("ascii"), keep_blank_values=True))
        name = params.get("Action", "")
        action = next((item for item in section.actions if item.name == name), None)
        if action is None:
            return httpx.Response(400, text=f"unknown action {name!r} in {section.name}")
        self.calls.append((section.module, action.name))
        if action.document:
            md5 = base64.b64encode(hashlib.md5(DOCUMENT).digest()).decode("ascii")
            headers = {**HEADERS, "Content-MD5": md5, "Content-Type": "text/plain;charset=Cp1252"}
            return httpx.Response(200, content=DOCUMENT, headers=headers)
        return httpx.Response(
            200, content=answer(section, action), headers={**HEADERS, "Content-Type": "text/xml"}
        )


def answer(section: Section, action: Action) -> bytes:
    """The sample response for the action when there is one, else a minimal valid one."""
    sample = SAMPLES / section.module / f"{action.name}.xml"
    if sample.is_file():
        return sample.read_bytes()
    return (
        f'<?xml version="1.0"?>\n<{action.name}Response xmlns="{section.namespace}">'
        f"<{action.result_element}/>"
        f"<ResponseMetadata><RequestId>{REQUEST_ID}</RequestId></ResponseMetadata>"
        f"</{action.name}Response>"
    ).encode("utf-8")


@contextlib.contextmanager
def documented_clients(stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`from mwskit import MWS` gives a client whose transport is the stand-in."""
    transport = httpx.MockTransport(stand_in)

    class MWS(mwskit.MWS):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport", transport)
            super().__init__(**kwargs)

    class AsyncMWS(mwskit.AsyncMWS):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport", transport)
            super().__init__(**kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(mwskit, "MWS", MWS)
        patch.setattr(mwskit, "AsyncMWS", AsyncMWS)
        # One page is one program: the process-wide throttling buckets (per seller and action)
        # start full, as in a new process, instead of carrying over other pages' calls.
        for module in (runtime_calls, runtime_throttle):
            if module is not None and hasattr(module, "BUCKETS"):
                patch.setattr(module, "BUCKETS", type(module.BUCKETS)())
        for name, value in ENVIRONMENT.items():
            patch.setenv(name, value)
        yield


def run_page(blocks: list[Block], monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """Run a page's ```python blocks in order in one namespace; return what they called."""
    stand_in = StandIn()
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with documented_clients(stand_in, monkeypatch):
        for block in blocks:
            if block.info != RUN:
                continue
            compiled = compile(textwrap.dedent(block.code), f"{block.page}:{block.line}", "exec")
            output = io.StringIO()
            try:
                with contextlib.redirect_stdout(output):
                    exec(compiled, namespace)  # noqa: S102 - the documentation's own examples
            except Exception as error:
                raise AssertionError(
                    f"{block.page}:{block.line}: example failed: {type(error).__name__}: {error}\n"
                    f"{block.code}"
                ) from error
    return stand_in


def check_fences(blocks: list[Block], *, generated: bool) -> None:
    for block in blocks:
        info = block.info
        if PYTHON_FENCE.match(info) and info not in (RUN, NOT_RUN):
            raise AssertionError(
                f"{block.page}:{block.line}: fence ```{info}: write ```python (run by the tests)"
                " or ```py (not run)"
            )
        if generated and info == NOT_RUN:
            raise AssertionError(f"{block.page}:{block.line}: generated examples must all run")


# -- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", guide_pages(), ids=lambda path: path.relative_to(GUIDES).as_posix()
)
def test_guide_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = code_blocks(page)
    check_fences(blocks, generated=False)
    run_page(blocks, monkeypatch)


SECTION_PAGES = {section.module: section for section in API.sections}


@pytest.mark.parametrize("page", reference_pages(), ids=lambda path: path.name)
def test_reference_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = code_blocks(page)
    check_fences(blocks, generated=True)
    stand_in = run_page(blocks, monkeypatch)
    section = SECTION_PAGES.get(page.stem)
    if section is None:
        assert stand_in.calls == [], f"{page.name}: made calls {stand_in.calls}"
        return
    # One setup block, then one example per action, each calling exactly its own action.
    runnable = [block for block in blocks if block.info == RUN]
    assert len(runnable) == 1 + len(section.actions), page.name
    assert stand_in.calls == [(section.module, action.name) for action in section.actions]


def test_guides_have_runnable_examples() -> None:
    """The runner finds what it should: the guides' examples are not all skipped."""
    counts = {
        page.relative_to(GUIDES).as_posix(): sum(block.info == RUN for block in code_blocks(page))
        for page in guide_pages()
    }
    assert counts["getting-started.md"] >= 3
    assert sum(counts.values()) >= 12


def test_runner_rejects_unknown_python_fences(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python3\nprint(1)\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="fence ```python3"):
        check_fences(code_blocks(page), generated=False)


def test_runner_reports_a_failing_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "- item\n\n  ```python\n  from mwskit import MWS\n  mws = MWS(access_key='a',"
        " secret_key='b', seller_id='c')\n  mws.orders.list_orders(marketplace_id=['X'])\n  ```\n",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match=r"page.md:3: example failed: ValueError"):
        run_page(code_blocks(page), monkeypatch)


def test_stand_in_answers_documents_with_their_md5(monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in = StandIn()
    with documented_clients(stand_in, monkeypatch):
        from mwskit import MWS

        with MWS(access_key="a", secret_key="b", seller_id="c", region="NA") as mws:
            report = mws.reports.get_report(report_id="1")
            result = mws.sellers.list_marketplace_participations()
    assert report.content == DOCUMENT and report.md5_verified
    assert result.request_id  # from tests/samples/sellers/ when there, else the minimal answer
    assert stand_in.calls == [
        ("reports", "GetReport"),
        ("sellers", "ListMarketplaceParticipations"),
    ]
