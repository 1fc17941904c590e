"""Workflow helpers of the Feeds client: preflight, submit, poll, read the processing report.

The generated `FeedsClient` / `AsyncFeedsClient` inherit these mixins (`client_mixin` in
specs/feeds.yaml). The poll interval defaults to the status action's documented restore rate
(one request back every 45 seconds), so polling never drains the bucket.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from .._runtime.calls import Sleep
from .._runtime.documents import (
    FeedSource,
    PreflightReport,
    codec_name,
    flat_file_encoding_for,
    looks_like_xml,
    marketplace_info,
    preflight_feed,
)
from .._runtime.errors import MWSError, ReportCancelled
from .._runtime.response import Document
from .._runtime.throttle import Timer
from .._runtime.workflows import (
    DEFAULT_TIMEOUT,
    POLL_INTERVAL,
    Invoke,
    Plan,
    arun_plan,
    check_deadline,
    check_timing,
    client_timer,
    run_plan,
    status_text,
)
from .._runtime.xml import child_text, local_name, parse_xml
from ..marketplaces import MARKETPLACES

if TYPE_CHECKING:
    from .._runtime.client import AsyncSession, SyncSession


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


def _count(text: str | None) -> int:
    """A message count of a processing report; 0 when missing or unreadable."""
    try:
        return int(text) if text else 0
    except ValueError:
        return 0


_SUMMARY_COUNTS = (
    "MessagesProcessed",
    "MessagesSuccessful",
    "MessagesWithError",
    "MessagesWithWarning",
)
# The columns of a flat-file processing report that ProcessingMessage has its own fields for.
_FLAT_COLUMNS = ("original-record-number", "error-type", "error-code", "error-message")


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
    if not looks_like_xml(body):
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
        name: _count(child_text(summary, name)) if summary is not None else 0
        for name in _SUMMARY_COUNTS
    }
    messages = tuple(_xml_message(node) for node in report if local_name(node) == "Result")
    return ProcessingReport(
        document_transaction_id=child_text(report, "DocumentTransactionID"),
        status_code=child_text(report, "StatusCode"),
        messages_processed=counts["MessagesProcessed"],
        messages_successful=counts["MessagesSuccessful"],
        messages_with_error=counts["MessagesWithError"],
        messages_with_warning=counts["MessagesWithWarning"],
        messages=messages,
    )


def _xml_message(node: etree._Element) -> ProcessingMessage:
    """One `<Result>` element of an XML processing report."""
    info_node = next((child for child in node if local_name(child) == "AdditionalInfo"), None)
    info = (
        {local_name(child): (child.text or "").strip() for child in info_node}
        if info_node is not None
        else {}
    )
    return ProcessingMessage(
        message_id=child_text(node, "MessageID"),
        result_code=child_text(node, "ResultCode"),
        message_code=child_text(node, "ResultMessageCode"),
        description=child_text(node, "ResultDescription"),
        additional_info=info,
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
            counts[filled[0].removeprefix("Number of records ").lower()] = _count(filled[1])
        elif columns is None and "error-code" in cells:
            columns = cells
        elif columns is not None and filled:
            messages.append(_flat_message(dict(zip(columns, cells, strict=False))))
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


def _flat_message(row: dict[str, str]) -> ProcessingMessage:
    """One problem row of a flat-file processing report; other columns go to additional_info."""
    return ProcessingMessage(
        message_id=row.get("original-record-number"),
        result_code=row.get("error-type"),
        message_code=row.get("error-code"),
        description=row.get("error-message"),
        additional_info={key: value for key, value in row.items() if key not in _FLAT_COLUMNS},
    )


def plan_feed(
    timer: Timer,
    submit: dict[str, Any],
    poll_interval: float,
    timeout: float,
) -> Plan[FeedOutcome]:
    """SubmitFeed, GetFeedSubmissionList until _DONE_, then GetFeedSubmissionResult, parsed.

    The processing report is downloaded with the `marketplace` given to SubmitFeed, so a
    flat-file report is decoded in the marketplace's encoding when it declares no charset.
    """
    check_timing(poll_interval, timeout)
    marketplace = submit.get("marketplace")
    started = timer.monotonic()
    answer = yield Invoke("submit_feed", submit)
    submission_id = getattr(answer.feed_submission_info, "feed_submission_id", None)
    if not submission_id:
        raise MWSError("SubmitFeed returned no FeedSubmissionId")
    polls = 0
    while True:
        check_deadline(timer, started, poll_interval, timeout, f"feed submission {submission_id}")
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
        status = status_text(getattr(info, "feed_processing_status", None))
        if status == "_CANCELLED_":
            raise ReportCancelled(f"feed submission {submission_id} was cancelled")
        if status == "_DONE_":
            break
    document = yield Invoke(
        "get_feed_submission_result",
        {"feed_submission_id": submission_id, "marketplace": marketplace},
    )
    flat_file_encoding = flat_file_encoding_for(MARKETPLACES, marketplace)
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


class _FeedsBase:
    """What both Feeds clients share: the preflight check, which sends nothing."""

    def preflight(
        self,
        text_or_path: str | os.PathLike[str],
        *,
        marketplace: object | None = None,
        encoding: str | None = None,
        source_encoding: str = "utf-8",
    ) -> PreflightReport:
        """Every character of a text feed that its encoding cannot represent, with line and
        column; nothing is sent. The encoding: `encoding`, else the XML declaration's (UTF-8),
        else the marketplace's flat-file charset (iso-8859-1 without a marketplace).

        Args:
            text_or_path: The feed as text, or the path of its file.
            marketplace: Marketplace (member, ID or country code) whose flat-file charset
                applies to a flat file.
            encoding: The encoding the feed will be sent in, overriding the others.
            source_encoding: How the file at a path is decoded to read it.
        """
        from_marketplace = flat_file_encoding_for(MARKETPLACES, marketplace)
        return preflight_feed(
            text_or_path, from_marketplace, encoding=encoding, source_encoding=source_encoding
        )


def _submit_args(
    feed_type: str,
    feed_content: FeedSource,
    marketplace_id_list: Iterable[str] | None,
    purge_and_replace: bool | None,
    content_type: str | None,
    marketplace: object | None,
) -> dict[str, Any]:
    if marketplace is not None:
        marketplace_info(MARKETPLACES, marketplace)  # refuse an unknown one early
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
        marketplace_id_list: Iterable[str] | None = None,
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
        ValueError before anything is sent.

        Args:
            feed_type: The FeedType (SubmitFeed's FeedType).
            feed_content: The feed: bytes, a path (str or os.PathLike) or a binary file; a file
                is read in chunks, never whole.
            marketplace_id_list: Marketplaces the feed applies to (SubmitFeed's
                MarketplaceIdList).
            purge_and_replace: Replace all the seller's existing data of this kind
                (SubmitFeed's PurgeAndReplace).
            content_type: Content-Type of the feed; default text/xml for XML, else
                tab-separated values in the marketplace's flat-file charset.
            marketplace: Marketplace (member, ID or country code) whose flat-file charset the
                feed and its processing report are in.
            poll_interval: Seconds between two status checks.
            timeout: Seconds after which WorkflowTimeout is raised.
        """
        submit = _submit_args(
            feed_type,
            feed_content,
            marketplace_id_list,
            purge_and_replace,
            content_type,
            marketplace,
        )
        return run_plan(self, plan_feed(client_timer(self), submit, poll_interval, timeout))


class AsyncFeedsWorkflows(_FeedsBase):
    """Workflow helpers of the async Feeds client (the same workflow, awaited)."""

    _session: AsyncSession

    async def submit_feed_and_wait(
        self,
        *,
        feed_type: str,
        feed_content: FeedSource,
        marketplace_id_list: Iterable[str] | None = None,
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
        return await arun_plan(self, plan_feed(client_timer(self), submit, poll_interval, timeout))
