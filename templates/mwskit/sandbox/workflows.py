"""What the sandbox does for Feeds and Reports: submissions and report requests that advance
over polls, their lists, counts, cancellations and documents, and paging through NextTokens
(stateful for those, stateless for every other ...ByNextToken action); Amazon Pay's actions go
to its own state machines (`amazon_pay`).

A workflow takes the `Context` (the records, the seed, the clock) and a checked request and
gives the answer's data (written through the response shape), a `Reply`, or None.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from .._runtime import rules
from . import amazon_pay, amazon_pay_reports
from .answers import Refusal, Reply, document_reply, invalid, to_text, xml_safe
from .checks import SandboxRequest
from .payments import Payments
from .state import DONE, IN_PROGRESS, SUBMITTED, Ledger, Records, Submission, matches

Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Context:
    """What workflows work with: `parents` maps (section, ...ByNextToken action) to its parent;
    `payments` is the Amazon Pay state."""

    records: Records
    parents: Mapping[tuple[str, str], str]
    seed: int
    clock: Callable[[], datetime]
    payments: Payments

    def stateless_paging(self, request: SandboxRequest) -> Data | None:
        """NextToken handling for actions without state: page 1 continues, page 2 ends (the
        token named as its section names it: Amazon Pay's is NextPageToken)."""
        operation = request.operation
        name = request.section.next_token
        parent = self.parents.get((request.section.name, operation.name))
        tokens = self.records.tokens
        if parent is not None:
            token = str(request.values.get(name, ""))
            page = tokens.redeem(token)
            if page is None or page.action != parent or page.seller != request.seller_id:
                raise tokens.refused(token, name)
            return {name: None, "HasNext": False}
        if operation.next_token_action is not None:
            return {name: tokens.issue(operation.name, request.seller_id), "HasNext": True}
        return None

    def page(
        self, request: SandboxRequest, items: list[Any], parent: str
    ) -> tuple[list[Any], Data]:
        """Split `items` at MaxCount (default 10) and issue a NextToken for the rest."""
        size = int(request.values.get("MaxCount") or 10) or 10
        head, rest = items[:size], items[size:]
        if rest:
            token = self.records.tokens.issue(parent, request.seller_id, rest)
            return head, {"NextToken": token, "HasNext": True}
        return head, {"NextToken": None, "HasNext": False}

    def redeem(self, request: SandboxRequest) -> list[Any]:
        """The items a stateful NextToken stands for (its seller's, of its parent action)."""
        token = str(request.values.get("NextToken", ""))
        parent = self.parents.get((request.section.name, request.operation.name))
        page = self.records.tokens.redeem(token)
        if (
            page is None
            or page.action != parent
            or page.seller != request.seller_id
            or page.remaining is None
        ):
            raise self.records.tokens.refused(token)
        return list(page.remaining)


Workflow = Callable[[Context, SandboxRequest], Data | Reply | None]


def _datetime(text: str) -> datetime:
    """A time parameter the checks already read (`rules.parse_datetime`)."""
    when = rules.parse_datetime(text)
    assert when is not None
    return when


def _feed_info(record: Submission, status: str | None = None) -> dict[str, Any]:
    status = status or record.status()
    info: dict[str, Any] = {
        "FeedSubmissionId": record.id,
        "FeedType": record.kind,
        "SubmittedDate": record.submitted,
        "FeedProcessingStatus": status,
        "StartedProcessingDate": None,
        "CompletedProcessingDate": None,
    }
    if status in (IN_PROGRESS, DONE):
        info["StartedProcessingDate"] = record.started()
    if status == DONE:
        info["CompletedProcessingDate"] = record.completed()
    return info


def _report_request_info(record: Submission, status: str | None = None) -> dict[str, Any]:
    status = status or record.status()
    info: dict[str, Any] = {
        "ReportRequestId": record.id,
        "ReportType": record.kind,
        "StartDate": record.extra.get("StartDate") or record.submitted - timedelta(days=1),
        "EndDate": record.extra.get("EndDate") or record.submitted,
        "Scheduled": False,
        "SubmittedDate": record.submitted,
        "ReportProcessingStatus": status,
        "GeneratedReportId": None,
        "StartedProcessingDate": None,
        "CompletedDate": None,
    }
    if status in (IN_PROGRESS, DONE):
        info["StartedProcessingDate"] = record.started()
    if status == DONE:
        info["GeneratedReportId"] = record.extra["ReportId"]
        info["CompletedDate"] = record.completed()
    return info


def _report_info(record: Submission) -> dict[str, Any]:
    return {
        "ReportId": record.extra["ReportId"],
        "ReportType": record.kind,
        "ReportRequestId": record.id,
        "AvailableDate": record.completed(),
        "Acknowledged": record.acknowledged,
    }


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _messages(content: bytes) -> int:
    """How many messages a feed holds: XML <Message>s, or flat-file lines after the header."""
    if content.lstrip()[:1] == b"<":
        return max(content.count(b"<Message>"), 1)
    return max(len([line for line in content.splitlines() if line.strip()]) - 1, 1)


def _processing_report(record: Submission) -> bytes:
    messages = record.extra["Messages"]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">\n'
        "<Header><DocumentVersion>1.02</DocumentVersion>"
        f"<MerchantIdentifier>{escape(xml_safe(record.seller))}</MerchantIdentifier></Header>\n"
        "<MessageType>ProcessingReport</MessageType>\n"
        "<Message><MessageID>1</MessageID><ProcessingReport>"
        f"<DocumentTransactionID>{escape(xml_safe(record.id))}</DocumentTransactionID>"
        "<StatusCode>Complete</StatusCode><ProcessingSummary>"
        f"<MessagesProcessed>{messages}</MessagesProcessed>"
        f"<MessagesSuccessful>{messages}</MessagesSuccessful>"
        "<MessagesWithError>0</MessagesWithError><MessagesWithWarning>0</MessagesWithWarning>"
        "</ProcessingSummary></ProcessingReport></Message>\n</AmazonEnvelope>\n"
    ).encode()


def generated_report(request: SandboxRequest, seed: int) -> bytes:
    rng = random.Random(f"{seed}/{request.operation.name}/{sorted(request.values.items())}")
    rows = ["sku\tasin\tprice\tquantity"]
    for index in range(1, 4):
        asin = "B0" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8))
        rows.append(
            f"SKU-{index:04d}\t{asin}\t{rng.randint(1, 999)}.{rng.randint(0, 99):02d}\t{rng.randint(0, 50)}"
        )
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def _submit_feed(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    record = Submission(
        ctx.records.next_id(),
        request.seller_id,
        str(request.values.get("FeedType")),
        ctx.clock(),
    )
    record.extra["Messages"] = _messages(request.body)  # the feed itself is not kept
    ctx.records.feeds.add(record)
    return {"FeedSubmissionInfo": _feed_info(record)}


_FEED_FILTERS = ("FeedSubmissionIdList", "FeedTypeList", "FeedProcessingStatusList")
_REPORT_FILTERS = ("ReportRequestIdList", "ReportTypeList", "ReportProcessingStatusList")


Filters = tuple[list[str] | None, list[str] | None, list[str] | None]


def _filters(request: SandboxRequest, names: tuple[str, str, str]) -> Filters:
    """The IDs, types and statuses a list, count or cancel call asks for (None: any)."""
    ids, kinds, statuses = (_strings(request.values.get(name)) for name in names)
    return ids, kinds, statuses


def _matching(
    ledger: Ledger, request: SandboxRequest, names: tuple[str, str, str]
) -> list[Submission]:
    """The seller's records (oldest first) that match the request's filters."""
    seller = request.seller_id
    ids, kinds, statuses = _filters(request, names)
    return [record for record in ledger.of(seller) if matches(record, seller, ids, kinds, statuses)]


def _feed_list(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    feeds = ctx.records.feeds
    found = _matching(feeds, request, _FEED_FILTERS)
    records, paging = ctx.page(request, found, request.operation.name)
    return {**paging, "FeedSubmissionInfo": [_feed_info(r, feeds.poll(r)) for r in records]}


def _next_page(ctx: Context, request: SandboxRequest) -> tuple[list[Submission], dict[str, Any]]:
    """The records a ...ByNextToken call's token stands for, and the paging of what is left."""
    records = ctx.redeem(request)
    parent = ctx.parents[(request.section.name, request.operation.name)]
    return ctx.page(replace(request, values={}), records, parent)


def _feed_list_next(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    feeds = ctx.records.feeds
    head, paging = _next_page(ctx, request)
    return {**paging, "FeedSubmissionInfo": [_feed_info(r, feeds.poll(r)) for r in head]}


def _feed_count(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    return {"Count": ctx.records.feeds.count(request.seller_id, *_filters(request, _FEED_FILTERS))}


def _cancel(
    ledger: Ledger, request: SandboxRequest, names: tuple[str, str, str]
) -> list[Submission]:
    cancelled = []
    for record in _matching(ledger, request, names):
        if record.status() == SUBMITTED:
            ledger.cancel(record)
            cancelled.append(record)
    return cancelled


def _feed_cancel(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    cancelled = _cancel(ctx.records.feeds, request, _FEED_FILTERS)
    return {"Count": len(cancelled), "FeedSubmissionInfo": [_feed_info(r) for r in cancelled]}


def _feed_result(ctx: Context, request: SandboxRequest) -> Reply:
    feed_id = str(request.values.get("FeedSubmissionId"))
    record = ctx.records.feeds.get(feed_id)
    if record is None or record.seller != request.seller_id:
        # The same answer for another seller's ID as for an unknown one: nothing leaks.
        raise invalid("FeedSubmissionId", feed_id, "No feed submission with this ID was found.")
    if record.status() != DONE:
        raise Refusal(
            404,
            "FeedProcessingResultNotReady",
            f"Feed Submission Result is not ready for Feed Submission Id: {feed_id}",
        )
    return document_reply(_processing_report(record))


def _request_report(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    values = request.values
    record = Submission(
        ctx.records.next_id(), request.seller_id, str(values.get("ReportType")), ctx.clock()
    )
    record.extra["ReportId"] = str(int(record.id) + 7_000_000)
    for name in ("StartDate", "EndDate"):
        if values.get(name):
            record.extra[name] = _datetime(str(values[name]))
    ctx.records.reports.add(record, alias=record.extra["ReportId"])
    return {"ReportRequestInfo": _report_request_info(record)}


def _report_request_list(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    reports = ctx.records.reports
    found = _matching(reports, request, _REPORT_FILTERS)
    records, paging = ctx.page(request, found, request.operation.name)
    infos = [_report_request_info(record, reports.poll(record)) for record in records]
    return {**paging, "ReportRequestInfo": infos}


def _report_request_list_next(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    reports = ctx.records.reports
    head, paging = _next_page(ctx, request)
    infos = [_report_request_info(record, reports.poll(record)) for record in head]
    return {**paging, "ReportRequestInfo": infos}


def _report_request_count(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    filters = _filters(request, _REPORT_FILTERS)
    return {"Count": ctx.records.reports.count(request.seller_id, *filters)}


def _report_cancel(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    cancelled = _cancel(ctx.records.reports, request, _REPORT_FILTERS)
    return {
        "Count": len(cancelled),
        "ReportRequestInfo": [_report_request_info(r) for r in cancelled],
    }


def _done_reports(ctx: Context, request: SandboxRequest) -> list[Submission]:
    values = request.values
    ids = _strings(values.get("ReportRequestIdList"))
    kinds = _strings(values.get("ReportTypeList"))
    acknowledged = values.get("Acknowledged")
    since = values.get("AvailableFromDate")
    until = values.get("AvailableToDate")
    found = [
        record
        for record in ctx.records.reports.of(request.seller_id)
        if matches(record, request.seller_id, ids, kinds, [DONE])
        and (acknowledged is None or to_text(record.acknowledged) == acknowledged)
        and (since is None or record.completed() >= _datetime(str(since)))
        and (until is None or record.completed() <= _datetime(str(until)))
    ]
    # Newest first, so a client asking for a single report gets the latest one.
    return sorted(found, key=lambda record: (record.completed(), record.id), reverse=True)


def _report_list(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    records, paging = ctx.page(request, _done_reports(ctx, request), request.operation.name)
    return {**paging, "ReportInfo": [_report_info(record) for record in records]}


def _report_list_next(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    head, paging = _next_page(ctx, request)
    return {**paging, "ReportInfo": [_report_info(record) for record in head]}


def _report_count(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    return {"Count": len(_done_reports(ctx, request))}


def _get_report(ctx: Context, request: SandboxRequest) -> Reply:
    report_id = str(request.values.get("ReportId"))
    record = ctx.records.reports.by_alias(report_id)
    if record is None or record.seller != request.seller_id:
        raise invalid("ReportId", report_id, "No report with this ID was found.")
    if not record.content and record.kind in amazon_pay_reports.SETTLEMENT_REPORT_TYPES:
        record.content = amazon_pay_reports.settlement_report(ctx.payments, record.seller)
    elif not record.content:
        record.content = generated_report(request, ctx.seed)
    return document_reply(record.content)


def _acknowledge(ctx: Context, request: SandboxRequest) -> dict[str, Any]:
    ids = set(_strings(request.values.get("ReportIdList")) or [])
    flag = request.values.get("Acknowledged")
    reports = ctx.records.reports
    found = [
        record
        for record in (reports.by_alias(report_id) for report_id in ids)
        if record is not None and record.seller == request.seller_id
    ]
    found.sort(key=lambda record: int(record.id))  # in the order they were requested
    for record in found:
        if flag is not None:
            record.acknowledged = flag == "true"
    return {"Count": len(found), "ReportInfo": [_report_info(record) for record in found]}


WORKFLOWS: dict[tuple[str, str], Workflow] = {
    ("Feeds", "SubmitFeed"): _submit_feed,
    ("Feeds", "GetFeedSubmissionList"): _feed_list,
    ("Feeds", "GetFeedSubmissionListByNextToken"): _feed_list_next,
    ("Feeds", "GetFeedSubmissionCount"): _feed_count,
    ("Feeds", "CancelFeedSubmissions"): _feed_cancel,
    ("Feeds", "GetFeedSubmissionResult"): _feed_result,
    ("Reports", "RequestReport"): _request_report,
    ("Reports", "GetReportRequestList"): _report_request_list,
    ("Reports", "GetReportRequestListByNextToken"): _report_request_list_next,
    ("Reports", "GetReportRequestCount"): _report_request_count,
    ("Reports", "CancelReportRequests"): _report_cancel,
    ("Reports", "GetReportList"): _report_list,
    ("Reports", "GetReportListByNextToken"): _report_list_next,
    ("Reports", "GetReportCount"): _report_count,
    ("Reports", "GetReport"): _get_report,
    ("Reports", "UpdateReportAcknowledgements"): _acknowledge,
}


def run(context: Context, request: SandboxRequest) -> Data | Reply | None:
    """The answer of request's workflow, or None when its action has none."""
    if request.section.name == amazon_pay.SECTION:
        return amazon_pay.handle(context.payments, request)
    workflow = WORKFLOWS.get((request.section.name, request.operation.name))
    return workflow(context, request) if workflow is not None else None
