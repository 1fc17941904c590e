"""Workflow helpers of the Reports and Feeds clients: request, poll, download; submit, poll, read.

Each workflow is written once, as a sans-I/O generator (like `plan_call`): it yields `Invoke`
(call one of the client's own methods) and `Sleep` steps and receives their results. The sync
mixin carries the steps out with plain calls, the async mixin with `await`; both use the
client's timer, so a fake timer runs a whole workflow without sleeping. Every call goes through
the client's throttling and retries as usual; the poll interval defaults to the status action's
documented restore rate (one request back every 45 seconds), so polling never drains the bucket.

The generated `ReportsClient` / `FeedsClient` inherit these mixins (`client_mixin` in the spec).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any, TypeVar, cast, overload

from lxml import etree

from .calls import Sleep
from .client import AsyncSession, SyncSession
from .documents import (
    Destination,
    FeedSource,
    PreflightReport,
    codec_name,
    flat_file_encoding_for,
    marketplace_info,
    preflight_feed,
)
from .errors import MWSError, ReportCancelled, WorkflowTimeout
from .report_rows import ReportRecord, iter_records, iter_rows
from .response import Document
from .xml import child_text, local_name, parse_xml

T = TypeVar("T", bound=ReportRecord)

_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
POLL_INTERVAL = 45.0  # GetReportRequestList / GetFeedSubmissionList restore one request per 45 s
DEFAULT_TIMEOUT = 3600.0


@dataclass(slots=True)
class Invoke:
    """Call the client's method `method` with `kwargs`; the workflow receives its result."""

    method: str
    kwargs: dict[str, Any]


WorkflowStep = Invoke | Sleep


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """A finished report: its status, IDs and the downloaded document (None for _DONE_NO_DATA_)."""

    status: str
    report_request_id: str | None
    report_id: str | None
    document: Document | None
    polls: int = 0


@dataclass(frozen=True, slots=True)
class ProcessingMessage:
    """One `<Result>` of a processing report: the message it is about and what happened."""

    message_id: str | None
    result_code: str | None  # Error or Warning
    message_code: str | None
    description: str | None
    additional_info: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProcessingReport:
    """The feed processing report (`<ProcessingReport>` of GetFeedSubmissionResult)."""

    document_transaction_id: str | None
    status_code: str | None
    messages_processed: int
    messages_successful: int
    messages_with_error: int
    messages_with_warning: int
    messages: tuple[ProcessingMessage, ...] = ()

    @property
    def errors(self) -> tuple[ProcessingMessage, ...]:
        return tuple(item for item in self.messages if item.result_code == "Error")

    @property
    def warnings(self) -> tuple[ProcessingMessage, ...]:
        return tuple(item for item in self.messages if item.result_code == "Warning")


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """A processed feed: its submission ID, final status, processing report and raw document."""

    feed_submission_id: str
    status: str
    report: ProcessingReport
    document: Document
    polls: int = 0


def _int(text: str | None) -> int:
    try:
        return int(text) if text else 0
    except ValueError:
        return 0


def parse_processing_report(
    body: bytes, encoding: str | None = None, *, flat_file_encoding: str | None = None
) -> ProcessingReport:
    """Read an XML processing report (AmazonEnvelope/Message/ProcessingReport) into its counts
    and messages. A flat-file feed's tab-separated report is read by `_flat_processing_report`.

    XML is read by its own rules (its declaration, else UTF-8). A flat-file report is decoded
    strictly with `encoding` (the charset the response declared, else the marketplace's report
    encoding: `Document.encoding`), else with `flat_file_encoding` (the marketplace's flat-file
    encoding); with neither, ValueError: its charset is never guessed.
    """
    if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        charset = encoding or flat_file_encoding
        if charset is None:
            raise ValueError(
                "the flat-file processing report declares no charset and no marketplace was "
                "given: pass marketplace=... to decode it with the marketplace's encoding"
            )
        return _flat_processing_report(body, charset)
    root = parse_xml(body)
    report = next((node for node in root.iter() if local_name(node) == "ProcessingReport"), None)
    if report is None:
        raise MWSError("the feed result has no ProcessingReport element")
    summary = next((node for node in report if local_name(node) == "ProcessingSummary"), None)
    counts = {
        name: _int(child_text(summary, name)) if summary is not None else 0
        for name in (
            "MessagesProcessed",
            "MessagesSuccessful",
            "MessagesWithError",
            "MessagesWithWarning",
        )
    }
    messages = []
    for node in report:
        if local_name(node) != "Result":
            continue
        info_node = next((child for child in node if local_name(child) == "AdditionalInfo"), None)
        info = (
            {local_name(child): (child.text or "").strip() for child in info_node}
            if info_node is not None
            else {}
        )
        messages.append(
            ProcessingMessage(
                message_id=child_text(node, "MessageID"),
                result_code=child_text(node, "ResultCode"),
                message_code=child_text(node, "ResultMessageCode"),
                description=child_text(node, "ResultDescription"),
                additional_info=info,
            )
        )
    return ProcessingReport(
        document_transaction_id=child_text(report, "DocumentTransactionID"),
        status_code=child_text(report, "StatusCode"),
        messages_processed=counts["MessagesProcessed"],
        messages_successful=counts["MessagesSuccessful"],
        messages_with_error=counts["MessagesWithError"],
        messages_with_warning=counts["MessagesWithWarning"],
        messages=tuple(messages),
    )


def _flat_processing_report(body: bytes, encoding: str) -> ProcessingReport:
    """The tab-separated report of a flat-file feed: a summary, then one row per problem.

    Feed Processing Summary:
        Number of records processed        2
        Number of records successful       1
    original-record-number  sku  error-code  error-type  error-message
    """
    text = body.decode(codec_name(encoding))
    if text.startswith("\ufeff"):
        text = text[1:]
    counts: dict[str, int] = {}
    messages = []
    columns: list[str] | None = None
    for line in text.split("\n"):
        line = line.removesuffix("\r")  # lines end at LF or CRLF; any other break is data
        cells = [cell.strip() for cell in line.split("\t")]
        filled = [cell for cell in cells if cell]
        if columns is None and len(filled) == 2 and filled[0].startswith("Number of records"):
            counts[filled[0].removeprefix("Number of records ").lower()] = _int(filled[1])
        elif columns is None and "error-code" in cells:
            columns = cells
        elif columns is not None and filled:
            row = dict(zip(columns, cells))
            messages.append(
                ProcessingMessage(
                    message_id=row.get("original-record-number"),
                    result_code=row.get("error-type"),
                    message_code=row.get("error-code"),
                    description=row.get("error-message"),
                    additional_info={
                        key: value
                        for key, value in row.items()
                        if key
                        not in (
                            "original-record-number",
                            "error-type",
                            "error-code",
                            "error-message",
                        )
                    },
                )
            )
    errors = sum(1 for item in messages if item.result_code == "Error")
    warnings = sum(1 for item in messages if item.result_code == "Warning")
    return ProcessingReport(
        document_transaction_id=None,
        status_code=None,
        messages_processed=counts.get("processed", 0),
        messages_successful=counts.get("successful", 0),
        messages_with_error=counts.get("with errors", errors),
        messages_with_warning=counts.get("with warnings", warnings),
        messages=tuple(messages),
    )


# --- The workflows, sans I/O -------------------------------------------------------------------


def _status(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def _check_timing(poll_interval: float, timeout: float) -> None:
    """Refuse a poll interval or timeout no workflow can use, before anything is sent."""
    if (
        isinstance(poll_interval, bool)
        or not isinstance(poll_interval, (int, float))
        or not math.isfinite(poll_interval)
        or poll_interval < 0
    ):
        raise ValueError(
            f"poll_interval must be a finite number of seconds >= 0; got {poll_interval!r}"
        )
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ValueError(f"timeout must be a finite number of seconds > 0; got {timeout!r}")


def _check_time(timer: Any, started: float, interval: float, timeout: float, what: str) -> None:
    if timer.monotonic() - started + interval > timeout:
        raise WorkflowTimeout(f"{what} was not done within {timeout:g} s; it may still finish")


def plan_report(
    timer: Any,
    request: dict[str, Any],
    download: dict[str, Any],
    poll_interval: float,
    timeout: float,
) -> Generator[WorkflowStep, Any, ReportOutcome]:
    """RequestReport, GetReportRequestList until the request is final, then GetReport."""
    _check_timing(poll_interval, timeout)
    started = timer.monotonic()
    answer = yield Invoke("request_report", request)
    info = answer.report_request_info
    request_id = getattr(info, "report_request_id", None)
    if not request_id:
        raise MWSError("RequestReport returned no ReportRequestId")
    polls = 0
    while True:
        page = yield Invoke("get_report_request_list", {"report_request_id_list": [request_id]})
        polls += 1
        info = next(
            (item for item in page.report_request_info if item.report_request_id == request_id),
            None,
        )
        status = _status(getattr(info, "report_processing_status", None))
        if status == "_CANCELLED_":
            raise ReportCancelled(f"report request {request_id} was cancelled")
        if status == "_DONE_NO_DATA_":
            return ReportOutcome(status, request_id, None, None, polls)
        if status == "_DONE_":
            break
        _check_time(timer, started, poll_interval, timeout, f"report request {request_id}")
        yield Sleep(poll_interval)
    report_id = getattr(info, "generated_report_id", None)
    if not report_id:  # some reports only show up in GetReportList
        listing = yield Invoke("get_report_list", {"report_request_id_list": [request_id]})
        report_id = next((item.report_id for item in listing.report_info if item.report_id), None)
        if not report_id:
            raise MWSError(f"report request {request_id} is done but no report ID was found")
    document = yield Invoke("get_report", {"report_id": report_id, **download})
    return ReportOutcome("_DONE_", request_id, report_id, document, polls)


def plan_scheduled_report(
    timer: Any,
    report_type: str,
    since: datetime | None,
    download: dict[str, Any],
    poll_interval: float,
    timeout: float,
) -> Generator[WorkflowStep, Any, ReportOutcome]:
    """GetReportList filtered by type until a report available after `since` shows, then GetReport."""
    _check_timing(poll_interval, timeout)
    started = timer.monotonic()
    polls = 0
    while True:
        listing = yield Invoke(
            "get_report_list",
            # The docs do not promise an order: read a whole page and pick the newest here.
            {"report_type_list": [report_type], "available_from_date": since},
        )
        polls += 1
        newest = max(
            (
                item
                for item in listing.report_info
                if item.report_id
                and (since is None or item.available_date is None or item.available_date >= since)
            ),
            key=lambda item: item.available_date or _EARLIEST,
            default=None,
        )
        if newest is not None:
            break
        _check_time(timer, started, poll_interval, timeout, f"a scheduled {report_type} report")
        yield Sleep(poll_interval)
    document = yield Invoke("get_report", {"report_id": newest.report_id, **download})
    return ReportOutcome("_DONE_", newest.report_request_id, newest.report_id, document, polls)


def plan_feed(
    timer: Any,
    submit: dict[str, Any],
    poll_interval: float,
    timeout: float,
) -> Generator[WorkflowStep, Any, FeedOutcome]:
    """SubmitFeed, GetFeedSubmissionList until _DONE_, then GetFeedSubmissionResult, parsed.

    The processing report is downloaded with the `marketplace` given to SubmitFeed, so a
    flat-file report is decoded in the marketplace's encoding when it declares no charset.
    """
    _check_timing(poll_interval, timeout)
    marketplace = submit.get("marketplace")
    started = timer.monotonic()
    answer = yield Invoke("submit_feed", submit)
    submission_id = getattr(answer.feed_submission_info, "feed_submission_id", None)
    if not submission_id:
        raise MWSError("SubmitFeed returned no FeedSubmissionId")
    polls = 0
    while True:
        _check_time(timer, started, poll_interval, timeout, f"feed submission {submission_id}")
        yield Sleep(poll_interval)  # processing takes minutes: wait before the first look
        page = yield Invoke(
            "get_feed_submission_list", {"feed_submission_id_list": [submission_id]}
        )
        polls += 1
        info = next(
            (
                item
                for item in page.feed_submission_info
                if item.feed_submission_id == submission_id
            ),
            None,
        )
        status = _status(getattr(info, "feed_processing_status", None))
        if status == "_CANCELLED_":
            raise ReportCancelled(f"feed submission {submission_id} was cancelled")
        if status == "_DONE_":
            break
    document = yield Invoke(
        "get_feed_submission_result",
        {"feed_submission_id": submission_id, "marketplace": marketplace},
    )
    flat_file_encoding = flat_file_encoding_for(_marketplace_table(), marketplace)
    try:
        report = parse_processing_report(
            document.body, document.encoding, flat_file_encoding=flat_file_encoding
        )
    except ValueError as error:
        raise ValueError(
            f"feed submission {submission_id} is done, but its processing report cannot be "
            f"read: {error}"
        ) from error
    return FeedOutcome(submission_id, "_DONE_", report, document, polls)


def _run(client: Any, plan: Generator[WorkflowStep, Any, Any]) -> Any:
    timer = client._session.config.timer
    result: Any = None
    try:
        while True:
            step = plan.send(result)
            if isinstance(step, Sleep):
                timer.sleep(step.seconds)
                result = None
            else:
                result = getattr(client, step.method)(**step.kwargs)
    except StopIteration as done:
        return done.value


async def _arun(client: Any, plan: Generator[WorkflowStep, Any, Any]) -> Any:
    timer = client._session.config.timer
    result: Any = None
    try:
        while True:
            step = plan.send(result)
            if isinstance(step, Sleep):
                await timer.async_sleep(step.seconds)
                result = None
            else:
                result = await getattr(client, step.method)(**step.kwargs)
    except StopIteration as done:
        return done.value


def _request_args(
    report_type: str,
    start_date: datetime | None,
    end_date: datetime | None,
    report_options: str | None,
    marketplace_id_list: Any,
) -> dict[str, Any]:
    return {
        "report_type": report_type,
        "start_date": start_date,
        "end_date": end_date,
        "report_options": report_options,
        "marketplace_id_list": marketplace_id_list,
    }


def _timer(client: Any) -> Any:
    return client._session.config.timer


# --- Mixins ------------------------------------------------------------------------------------


class ReportsWorkflows:
    """Workflow helpers of the sync Reports client."""

    _session: SyncSession

    def request_and_get_report(
        self,
        *,
        report_type: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        report_options: str | None = None,
        marketplace_id_list: Any = None,
        destination: Destination | None = None,
        marketplace: object | None = None,
        poll_interval: float = POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> ReportOutcome:
        """Request a report, poll GetReportRequestList every `poll_interval` seconds until it is
        done, cancelled (ReportCancelled) or has no data, and download it (to `destination`,
        when given). Raises WorkflowTimeout after `timeout` seconds."""
        plan = plan_report(
            _timer(self),
            _request_args(report_type, start_date, end_date, report_options, marketplace_id_list),
            {"destination": destination, "marketplace": marketplace},
            poll_interval,
            timeout,
        )
        return cast(ReportOutcome, _run(self, plan))

    def wait_for_scheduled_report(
        self,
        *,
        report_type: str,
        available_from_date: datetime | None = None,
        destination: Destination | None = None,
        marketplace: object | None = None,
        poll_interval: float = POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> ReportOutcome:
        """Poll GetReportList for a report of `report_type` available at or after
        `available_from_date`, then download the newest. Raises WorkflowTimeout after `timeout`."""
        plan = plan_scheduled_report(
            _timer(self),
            report_type,
            available_from_date,
            {"destination": destination, "marketplace": marketplace},
            poll_interval,
            timeout,
        )
        return cast(ReportOutcome, _run(self, plan))

    @overload
    def iter_report_rows(
        self, *, report_id: str, marketplace: object | None = None, record: None = None
    ) -> Iterator[dict[str, str]]: ...

    @overload
    def iter_report_rows(
        self, *, report_id: str, marketplace: object | None = None, record: type[T]
    ) -> Iterator[T]: ...

    def iter_report_rows(
        self,
        *,
        report_id: str,
        marketplace: object | None = None,
        record: type[T] | None = None,
    ) -> Iterator[dict[str, str]] | Iterator[T]:
        """Download a flat-file report to a temporary file (MD5 verified before any row is
        given out), then read it row by row: dicts by header name, or `record`s
        (OrderReportRow, InventoryReportRow, SettlementReportRow, or REPORT_RECORDS[type]).
        Text is decoded with the declared charset, else the marketplace's report encoding."""
        with tempfile.TemporaryFile() as file:
            document = self.get_report(  # type: ignore[attr-defined]
                report_id=report_id, destination=file, marketplace=marketplace
            )
            file.seek(0)
            yield from _rows(file, document.encoding, record)


class AsyncReportsWorkflows:
    """Workflow helpers of the async Reports client (the same workflows, awaited)."""

    _session: AsyncSession

    async def request_and_get_report(
        self,
        *,
        report_type: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        report_options: str | None = None,
        marketplace_id_list: Any = None,
        destination: Destination | None = None,
        marketplace: object | None = None,
        poll_interval: float = POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> ReportOutcome:
        """See ReportsWorkflows.request_and_get_report."""
        plan = plan_report(
            _timer(self),
            _request_args(report_type, start_date, end_date, report_options, marketplace_id_list),
            {"destination": destination, "marketplace": marketplace},
            poll_interval,
            timeout,
        )
        return cast(ReportOutcome, await _arun(self, plan))

    async def wait_for_scheduled_report(
        self,
        *,
        report_type: str,
        available_from_date: datetime | None = None,
        destination: Destination | None = None,
        marketplace: object | None = None,
        poll_interval: float = POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> ReportOutcome:
        """See ReportsWorkflows.wait_for_scheduled_report."""
        plan = plan_scheduled_report(
            _timer(self),
            report_type,
            available_from_date,
            {"destination": destination, "marketplace": marketplace},
            poll_interval,
            timeout,
        )
        return cast(ReportOutcome, await _arun(self, plan))

    @overload
    def iter_report_rows(
        self, *, report_id: str, marketplace: object | None = None, record: None = None
    ) -> AsyncIterator[dict[str, str]]: ...

    @overload
    def iter_report_rows(
        self, *, report_id: str, marketplace: object | None = None, record: type[T]
    ) -> AsyncIterator[T]: ...

    async def iter_report_rows(
        self,
        *,
        report_id: str,
        marketplace: object | None = None,
        record: type[T] | None = None,
    ) -> AsyncIterator[Any]:
        """See ReportsWorkflows.iter_report_rows."""
        with tempfile.TemporaryFile() as file:
            document = await self.get_report(  # type: ignore[attr-defined]
                report_id=report_id, destination=file, marketplace=marketplace
            )
            file.seek(0)
            for row in _rows(file, document.encoding, record):
                yield row


def _rows(file: IO[bytes], encoding: str | None, record: type[T] | None) -> Iterator[Any]:
    if record is None:
        return iter_rows(file, encoding)
    return iter_records(file, encoding, record)


class _FeedsBase:

    def preflight(
        self,
        text_or_path: str | Any,
        *,
        marketplace: object | None = None,
        encoding: str | None = None,
        source_encoding: str = "utf-8",
    ) -> PreflightReport:
        """Every character of a text feed that its encoding cannot represent, with line and
        column; nothing is sent. The encoding: `encoding`, else the XML declaration's (UTF-8),
        else the marketplace's flat-file charset (iso-8859-1 without a marketplace)."""
        from_marketplace = flat_file_encoding_for(_marketplace_table(), marketplace)
        return preflight_feed(
            text_or_path, from_marketplace, encoding=encoding, source_encoding=source_encoding
        )


def _marketplace_table() -> Mapping[str, Any]:
    # The generated marketplaces module sits next to the runtime package; imported late so the
    # runtime stays importable (and testable) on its own.
    from ..marketplaces import MARKETPLACES  # type: ignore[import-not-found,unused-ignore]

    return cast(Mapping[str, Any], MARKETPLACES)


def _submit_args(
    feed_type: str,
    feed_content: FeedSource,
    marketplace_id_list: Any,
    purge_and_replace: bool | None,
    content_type: str | None,
    marketplace: object | None,
) -> dict[str, Any]:
    if marketplace is not None:
        marketplace_info(_marketplace_table(), marketplace)  # refuse an unknown one early
    return {
        "feed_type": feed_type,
        "feed_content": feed_content,
        "marketplace_id_list": marketplace_id_list,
        "purge_and_replace": purge_and_replace,
        "content_type": content_type,
        "marketplace": marketplace,
    }


class FeedsWorkflows(_FeedsBase):
    """Workflow helpers of the sync Feeds client."""

    _session: SyncSession

    def submit_feed_and_wait(
        self,
        *,
        feed_type: str,
        feed_content: FeedSource,
        marketplace_id_list: Any = None,
        purge_and_replace: bool | None = None,
        content_type: str | None = None,
        marketplace: object | None = None,
        poll_interval: float = POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> FeedOutcome:
        """Submit a feed, poll GetFeedSubmissionList every `poll_interval` seconds until it is
        _DONE_ (ReportCancelled if cancelled, WorkflowTimeout after `timeout`), then fetch and
        parse its processing report. `marketplace` also gives the encoding of a flat-file
        processing report that declares no charset (without it such a report raises
        ValueError). A negative `poll_interval` or a `timeout` that is not > 0 raises
        ValueError before anything is sent."""
        submit = _submit_args(
            feed_type,
            feed_content,
            marketplace_id_list,
            purge_and_replace,
            content_type,
            marketplace,
        )
        return cast(
            FeedOutcome, _run(self, plan_feed(_timer(self), submit, poll_interval, timeout))
        )


class AsyncFeedsWorkflows(_FeedsBase):
    """Workflow helpers of the async Feeds client (the same workflow, awaited)."""

    _session: AsyncSession

    async def submit_feed_and_wait(
        self,
        *,
        feed_type: str,
        feed_content: FeedSource,
        marketplace_id_list: Any = None,
        purge_and_replace: bool | None = None,
        content_type: str | None = None,
        marketplace: object | None = None,
        poll_interval: float = POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> FeedOutcome:
        """See FeedsWorkflows.submit_feed_and_wait."""
        submit = _submit_args(
            feed_type,
            feed_content,
            marketplace_id_list,
            purge_and_replace,
            content_type,
            marketplace,
        )
        plan = plan_feed(_timer(self), submit, poll_interval, timeout)
        return cast(FeedOutcome, await _arun(self, plan))
