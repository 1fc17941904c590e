"""Every Python example of the documentation site runs, so no example can rot.

The examples are the ```python blocks of the handwritten guides (docs_src/pages/) and of the
generated reference pages (generated/docs/). ```py blocks are deliberately not run (features
still being built, code that needs a real file or a server on a fixed port); any other spelling
of a Python fence fails, so nothing is skipped by accident. The convention is stated for
contributors in docs_src/pages/contributing.md.

The blocks of one page run in order in one namespace, like one interpreter session. Examples
create their client as a user would (`MWS(access_key=..., ...)`); for the run, `mwskit.MWS` and
`mwskit.AsyncMWS` are replaced by subclasses that fill in what the example leaves out:

- `transport=` (unless the example gives `transport=` or `endpoint=` itself). A guide page talks
  to the sandbox in process (`mwskit.sandbox.transport()` / `async_transport()`, one new
  `Sandbox` per page, which accepts the key pair each client is created with): typed XML for
  every action, NextToken paging that ends, the report and feed workflows, its own throttling.
  A reference page talks to an httpx.MockTransport answering every action with
  tests/samples/<module>/<Action>.xml when that file exists, else with a minimal valid answer
  (documents get bytes and their Content-MD5), because its examples use placeholder IDs and
  tokens that the sandbox would rightly refuse.
- `timer=` and `clock=`: one simulated clock per page. It starts at the real time and moves only
  when something sleeps, so throttling waits and retry pauses take no real time, and every page
  starts with full throttling buckets (the client's buckets are keyed by timer). The page's
  sandboxes (the runner's and any the example makes), `time.sleep` and the clients all read the
  same simulated clock, so signatures never look stale and server-side buckets refill as they
  would.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import logging
import re
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl

import httpx
import pytest

import mwskit
import mwskit.sandbox
from conftest import ROOT
from generator.model import Action, Api, Section
from generator.pipeline import build_model

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


LAST_PAGE = re.compile(rb"<NextToken>[^<]*</NextToken>|<HasNext>true</HasNext>")


def answer(section: Section, action: Action) -> bytes:
    """The sample response for the action when there is one, else a minimal valid one. A
    ...ByNextToken answer is the last page (its NextToken removed), so `iter_` examples end."""
    sample = SAMPLES / section.module / f"{action.name}.xml"
    if sample.is_file():
        body = sample.read_bytes()
        return LAST_PAGE.sub(b"", body) if action.next_token_of else body
    return (
        f'<?xml version="1.0"?>\n<{action.name}Response xmlns="{section.namespace}">'
        f"<{action.result_element}/>"
        f"<ResponseMetadata><RequestId>{REQUEST_ID}</RequestId></ResponseMetadata>"
        f"</{action.name}Response>"
    ).encode()


class SimulatedTime(mwskit.Timer):
    """One page's clock: starts at the real time and moves only when something sleeps."""

    def __init__(self) -> None:
        self.started = datetime.now(UTC)
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return 1000.0 + self.elapsed

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += max(0.0, seconds)

    async def _async_sleep(self, seconds: float) -> None:
        # Concurrent tasks' waits overlap, as real ones do: each task's clock moves to the end
        # of its own wait, and the tasks wake in the order of those ends (a real sleep of
        # 1/10,000 of the wait keeps the order and lets the others run meanwhile).
        self.sleeps.append(seconds)
        deadline = self.elapsed + max(0.0, seconds)
        await asyncio.sleep(seconds / 10_000)
        self.elapsed = max(self.elapsed, deadline)

    def async_sleep(self, seconds: float) -> Any:
        return self._async_sleep(seconds)

    def now(self) -> datetime:
        return self.started + timedelta(seconds=self.elapsed)


Backend = Literal["sandbox", "stand-in"]


@dataclass
class PageRun:
    """What one page's examples ran against, and what they did."""

    time: SimulatedTime = field(default_factory=SimulatedTime)
    stand_in: StandIn = field(default_factory=StandIn)
    sandbox: mwskit.sandbox.Sandbox | None = None
    output: str = ""
    block_calls: list[list[tuple[str, str]]] = field(default_factory=list)  # per run block


@contextlib.contextmanager
def documented_clients(
    run: PageRun, monkeypatch: pytest.MonkeyPatch, backend: Backend = "stand-in"
) -> Any:
    """`from mwskit import MWS` gives a client on the page's backend and simulated clock."""
    simulated = run.time

    class Sandbox(mwskit.sandbox.Sandbox):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("clock", simulated.now)
            super().__init__(*args, **kwargs)

    if backend == "sandbox":
        run.sandbox = sandbox = Sandbox()
        sync_transport: httpx.BaseTransport = mwskit.sandbox.transport(sandbox)
        async_transport: httpx.AsyncBaseTransport = mwskit.sandbox.async_transport(sandbox)
    else:
        sandbox = None
        sync_transport = async_transport = httpx.MockTransport(run.stand_in)

    def fill_in(kwargs: dict[str, Any], transport: Any) -> None:
        if "transport" not in kwargs and "endpoint" not in kwargs:
            kwargs["transport"] = transport
            if sandbox is not None:  # the sandbox knows the keys the example uses
                sandbox.credentials.setdefault(kwargs["access_key"], kwargs["secret_key"])
        kwargs.setdefault("timer", simulated)
        kwargs.setdefault("clock", simulated.now)

    class MWS(mwskit.MWS):
        def __init__(self, **kwargs: Any) -> None:
            fill_in(kwargs, sync_transport)
            super().__init__(**kwargs)

    class AsyncMWS(mwskit.AsyncMWS):
        def __init__(self, **kwargs: Any) -> None:
            fill_in(kwargs, async_transport)
            super().__init__(**kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(mwskit, "MWS", MWS)
        patch.setattr(mwskit, "AsyncMWS", AsyncMWS)
        patch.setattr(mwskit.sandbox, "Sandbox", Sandbox)  # also what start(credentials) makes
        patch.setattr(time, "sleep", simulated.sleep)  # an example's polling pause
        for name, value in ENVIRONMENT.items():
            patch.setenv(name, value)
        # An example may configure logging (the `mwskit` logger's level, root handlers): undo it.
        for logger in (logging.getLogger(), logging.getLogger("mwskit")):
            patch.setattr(logger, "level", logger.level)
            patch.setattr(logger, "handlers", list(logger.handlers))
        yield


def run_page(
    blocks: list[Block], monkeypatch: pytest.MonkeyPatch, backend: Backend = "sandbox"
) -> PageRun:
    """Run a page's ```python blocks in order in one namespace; return what they did."""
    run = PageRun()
    namespace: dict[str, Any] = {"__name__": "__main__"}
    output = io.StringIO()
    with documented_clients(run, monkeypatch, backend):
        for block in blocks:
            if block.info != RUN:
                continue
            compiled = compile(textwrap.dedent(block.code), f"{block.page}:{block.line}", "exec")
            calls_before = len(run.stand_in.calls)
            try:
                with contextlib.redirect_stdout(output):
                    exec(compiled, namespace)
            except Exception as error:
                raise AssertionError(
                    f"{block.page}:{block.line}: example failed: {type(error).__name__}: {error}\n"
                    f"{block.code}"
                ) from error
            run.block_calls.append(run.stand_in.calls[calls_before:])
    run.output = output.getvalue()
    return run


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
    run = run_page(blocks, monkeypatch, backend="stand-in")
    section = SECTION_PAGES.get(page.stem)
    if section is None:
        assert run.stand_in.calls == [], f"{page.name}: made calls {run.stand_in.calls}"
        return
    # One setup block, then one example per action, each calling exactly its own action and
    # printing from its result; after a paging action, its iter_ example, which calls the
    # action and, when that page says more follow, its ...ByNextToken companion once (the
    # stand-in makes the companion's answer the last page).
    blocks_calls = iter(run.block_calls)
    assert next(blocks_calls) == [], f"{page.name}: the setup block calls nothing"
    for action in section.actions:
        call = (section.module, action.name)
        assert next(blocks_calls) == [call], f"{page.name}: {action.name}"
        if action.next_token_action:
            companion = (section.module, action.next_token_action)
            assert next(blocks_calls) in ([call], [call, companion]), f"{page.name}: iter_"
    assert next(blocks_calls, None) is None, f"{page.name}: more examples than methods"
    assert run.output.count("\n") >= len(section.actions), "every example prints its result"


def test_guides_have_runnable_examples() -> None:
    """The runner finds what it should: the guides' examples are not all skipped."""
    counts = {
        page.relative_to(GUIDES).as_posix(): sum(block.info == RUN for block in code_blocks(page))
        for page in guide_pages()
    }
    assert counts["getting-started.md"] >= 3
    # The runtime's features are shown by running code, not prose.
    for page in ("throttling", "retries", "pagination", "async"):
        assert counts[f"concepts/{page}.md"] >= 3, page
    assert counts["concepts/sandbox.md"] >= 6
    assert sum(counts.values()) >= 30
    assert "python3 dev.py demo" in (GUIDES / "getting-started.md").read_text(encoding="utf-8")


def write_page(tmp_path: Path, code: str) -> list[Block]:
    page = tmp_path / "page.md"
    page.write_text(f"# A page\n\n```python\n{textwrap.dedent(code).strip()}\n```\n", "utf-8")
    return code_blocks(page)


def test_guides_run_against_the_sandbox_on_simulated_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A throttled burst and a paged list, as a user writes them: no real sleeping, loops end."""
    code = """
        from datetime import datetime, timezone
        from mwskit import MWS

        mws = MWS(access_key="AKIA...", secret_key="...", seller_id="A1...", region="NA")
        for n in range(8):
            mws.orders.get_order(amazon_order_id=[f"902-3159896-{n:07d}"])
        pages = list(mws.orders.iter_list_orders(
            marketplace_id=["ATVPDKIKX0DER"],
            created_after=datetime(2024, 1, 1, tzinfo=timezone.utc),
        ))
        print(len(pages))
    """
    started = time.monotonic()
    run = run_page(write_page(tmp_path, code), monkeypatch)
    assert time.monotonic() - started < 10
    assert run.time.sleeps == [60.0, 60.0]  # GetOrder: 6 at once, then one a minute
    assert run.sandbox is not None
    stats = run.sandbox.stats()
    assert stats.by_status == {200: 10}
    assert stats.by_action == {"GetOrder": 8, "ListOrders": 1, "ListOrdersByNextToken": 1}
    assert run.output == "2\n"


def test_each_page_starts_with_full_buckets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = """
        from mwskit import MWS
        mws = MWS(access_key="AKIA...", secret_key="...", seller_id="A1...", region="NA")
        for _ in range(6):
            mws.orders.get_order(amazon_order_id=["902-3159896-1390916"])
    """
    blocks = write_page(tmp_path, code)
    assert [run_page(blocks, monkeypatch).time.sleeps for _ in range(2)] == [[], []]


def test_examples_own_sandboxes_share_the_simulated_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sandbox the example makes reads the page's clock, so a client that waited an hour of
    simulated time still signs with a timestamp the sandbox accepts."""
    code = """
        import time
        from mwskit import MWS
        from mwskit.sandbox import Sandbox, transport

        sandbox = Sandbox({"AK": "SK"})
        mws = MWS(access_key="AK", secret_key="SK", seller_id="A1", endpoint="http://sb.local",
                  transport=transport(sandbox))
        time.sleep(3600)
        lag = sandbox.clock() - mws.orders.get_service_status().server_time
        print(lag.total_seconds() < 1)
    """
    run = run_page(write_page(tmp_path, code), monkeypatch)
    assert run.time.elapsed == 3600
    assert run.sandbox is not None and run.sandbox.stats().received == 0
    assert run.output == "True\n"


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
    run = PageRun()
    stand_in = run.stand_in
    with documented_clients(run, monkeypatch, backend="stand-in"):
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
