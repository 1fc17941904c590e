"""Workflow helpers of the Reports client: request, poll, download; rows of a report.

The generated `ReportsClient` / `AsyncReportsClient` inherit these mixins (`client_mixin` in
specs/reports.yaml). The poll interval defaults to the status action's documented restore rate
(one request back every 45 seconds), so polling never drains the bucket.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, TypeVar, overload

from .._runtime.calls import Sleep
from .._runtime.documents import Destination
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
from .rows import ReportRecord, iter_records, iter_rows

if TYPE_CHECKING:
    from .._runtime.client import AsyncSession, SyncSession

T = TypeVar("T", bound=ReportRecord)

_EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """A finished report: its status, IDs and the downloaded document (None for _DONE_NO_DATA_)."""

    status: str
    report_request_id: str | None
    report_id: str | None
    document: Document | None
    polls: int = 0


def plan_report(
    timer: Timer,
    request: dict[str, Any],
    download: dict[str, Any],
    poll_interval: float,
    timeout: float,
) -> Plan[ReportOutcome]:
    """RequestReport, GetReportRequestList until the request is final, then GetReport."""
    check_timing(poll_interval, timeout)
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
        status = status_text(getattr(info, "report_processing_status", None))
        if status == "_CANCELLED_":
            raise ReportCancelled(f"report request {request_id} was cancelled")
        if status == "_DONE_NO_DATA_":
            return ReportOutcome(status, request_id, None, None, polls)
        if status == "_DONE_":
            break
        check_deadline(timer, started, poll_interval, timeout, f"report request {request_id}")
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
    timer: Timer,
    report_type: str,
    since: datetime | None,
    download: dict[str, Any],
    poll_interval: float,
    timeout: float,
) -> Plan[ReportOutcome]:
    """GetReportList filtered by type until a report available after `since` shows, then GetReport."""
    check_timing(poll_interval, timeout)
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
        check_deadline(timer, started, poll_interval, timeout, f"a scheduled {report_type} report")
        yield Sleep(poll_interval)
    document = yield Invoke("get_report", {"report_id": newest.report_id, **download})
    return ReportOutcome("_DONE_", newest.report_request_id, newest.report_id, document, polls)


def _request_args(
    report_type: str,
    start_date: datetime | None,
    end_date: datetime | None,
    report_options: str | None,
    marketplace_id_list: Iterable[str] | None,
) -> dict[str, Any]:
    return {
        "report_type": report_type,
        "start_date": start_date,
        "end_date": end_date,
        "report_options": report_options,
        "marketplace_id_list": marketplace_id_list,
    }


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
        marketplace_id_list: Iterable[str] | None = None,
        destination: Destination | None = None,
        marketplace: object | None = None,
        poll_interval: float = POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> ReportOutcome:
        """Request a report, poll GetReportRequestList every `poll_interval` seconds until it is
        done, cancelled (ReportCancelled) or has no data, and download it (to `destination`,
        when given). Raises WorkflowTimeout after `timeout` seconds.

        Args:
            report_type: The ReportType to request (RequestReport's ReportType).
            start_date: Start of the report's date range (RequestReport's StartDate).
            end_date: End of the report's date range (RequestReport's EndDate).
            report_options: Options of the report type (RequestReport's ReportOptions).
            marketplace_id_list: Marketplaces the report covers (RequestReport's
                MarketplaceIdList).
            destination: A path or a binary file to stream the document to (MD5 checked on the
                way); without it the document is kept in memory.
            marketplace: Marketplace (member, ID or country code) whose report encoding applies
                when the document declares no charset.
            poll_interval: Seconds between two status checks (default: the status action's
                restore rate, so polling never drains its bucket).
            timeout: Seconds after which WorkflowTimeout is raised.
        """
        plan = plan_report(
            client_timer(self),
            _request_args(report_type, start_date, end_date, report_options, marketplace_id_list),
            {"destination": destination, "marketplace": marketplace},
            poll_interval,
            timeout,
        )
        return run_plan(self, plan)

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
        `available_from_date`, then download the newest. Raises WorkflowTimeout after `timeout`.

        Args:
            report_type: The ReportType of the scheduled report.
            available_from_date: Only a report available at or after this time counts.
            destination: A path or a binary file to stream the document to (MD5 checked on the
                way); without it the document is kept in memory.
            marketplace: Marketplace (member, ID or country code) whose report encoding applies
                when the document declares no charset.
            poll_interval: Seconds between two GetReportList calls.
            timeout: Seconds after which WorkflowTimeout is raised.
        """
        plan = plan_scheduled_report(
            client_timer(self),
            report_type,
            available_from_date,
            {"destination": destination, "marketplace": marketplace},
            poll_interval,
            timeout,
        )
        return run_plan(self, plan)

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
        Text is decoded with the declared charset, else the marketplace's report encoding.

        Args:
            report_id: The ReportId to download (GetReport's ReportId).
            marketplace: Marketplace (member, ID or country code) whose report encoding applies
                when the document declares no charset.
            record: A ReportRecord class to read each row into; without it each row is a dict.
        """
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
        marketplace_id_list: Iterable[str] | None = None,
        destination: Destination | None = None,
        marketplace: object | None = None,
        poll_interval: float = POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> ReportOutcome:
        """See ReportsWorkflows.request_and_get_report."""
        plan = plan_report(
            client_timer(self),
            _request_args(report_type, start_date, end_date, report_options, marketplace_id_list),
            {"destination": destination, "marketplace": marketplace},
            poll_interval,
            timeout,
        )
        return await arun_plan(self, plan)

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
            client_timer(self),
            report_type,
            available_from_date,
            {"destination": destination, "marketplace": marketplace},
            poll_interval,
            timeout,
        )
        return await arun_plan(self, plan)

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
    ) -> AsyncIterator[dict[str, str] | T]:
        """See ReportsWorkflows.iter_report_rows."""
        with tempfile.TemporaryFile() as file:
            document = await self.get_report(  # type: ignore[attr-defined]
                report_id=report_id, destination=file, marketplace=marketplace
            )
            file.seek(0)
            for row in _rows(file, document.encoding, record):
                yield row


def _rows(
    file: IO[bytes], encoding: str | None, record: type[T] | None
) -> Iterator[dict[str, str]] | Iterator[T]:
    if record is None:
        return iter_rows(file, encoding)
    return iter_records(file, encoding, record)
