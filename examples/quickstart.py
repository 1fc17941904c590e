"""Show the regenerated client at work against the local MWS sandbox, over real HTTP.

MWS itself no longer answers, so this starts `mwskit.sandbox` (an MWS-compatible server built
from the same specs) on a free loopback port and makes real, signed calls to it: a ListOrders
walked page by page, then a feed submitted, polled until done, and its processing report read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import mwskit
from mwskit import MWS
from mwskit.feeds import FeedType
from mwskit.sandbox import Sandbox, start

ACCESS_KEY, SECRET_KEY = "AKIAEXAMPLEACCESSKEY", "EXAMPLE/SECRET+KEY"
FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion></Header>
<MessageType>Inventory</MessageType><Message><MessageID>1</MessageID>
<Inventory><SKU>WIDGET-42</SKU><Quantity>7</Quantity></Inventory></Message></AmazonEnvelope>"""


def show_event(event: mwskit.Event) -> None:
    print(f"    [{event.kind}] {event.action}: {event.reason} (waiting {event.delay:.2f} s)")


def main() -> None:
    print(f"mwskit {mwskit.__version__}: sections", ", ".join(MWS.__annotations__))
    sandbox = Sandbox({ACCESS_KEY: SECRET_KEY}, seed=42)
    with (
        start(sandbox) as server,
        MWS(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            seller_id="A1EXAMPLESELLER",
            endpoint=server.url,
            on_event=show_event,
        ) as mws,
    ):
        print(f"sandbox listening on {server.url}\n")

        print("ListOrders, every page (iter_list_orders follows NextToken):")
        since = datetime.now(UTC) - timedelta(days=7)
        pages = mws.orders.iter_list_orders(marketplace_id=["ATVPDKIKX0DER"], created_after=since)
        for number, page in enumerate(pages, 1):
            print(f"  page {number}: {len(page.orders)} orders, request id {page.request_id}")
            for order in page.orders[:2]:
                total = order.order_total
                amount = f"{total.amount} {total.currency_code}" if total else "no total"
                print(
                    f"    {order.amazon_order_id}  {order.order_status}  {amount}  "
                    f"bought {order.purchase_date:%Y-%m-%d %H:%M} UTC"
                )

        print("\nSubmitFeed, then GetFeedSubmissionList until _DONE_, then the processing report:")
        outcome = mws.feeds.submit_feed_and_wait(
            feed_type=FeedType.POST_INVENTORY_AVAILABILITY_DATA,
            feed_content=FEED,
            poll_interval=0.2,  # MWS itself restores one GetFeedSubmissionList call every 45 s
        )
        report = outcome.report
        print(
            f"  feed {outcome.feed_submission_id}: {outcome.status} after {outcome.polls} polls; "
            f"{report.messages_processed} processed, {report.messages_successful} successful, "
            f"{report.messages_with_error} with errors, {report.messages_with_warning} with warnings"
        )
        print(
            f"  processing report: {outcome.document.size} bytes, "
            f"MD5 verified: {outcome.document.md5_verified}"
        )

        print("\nA bad argument is refused before anything is sent:")
        try:
            mws.orders.list_orders(marketplace_id=["ATVPDKIKX0DER"], max_results_per_page=500)
        except ValueError as error:
            print(f"  ValueError: {error}")

    stats = sandbox.stats()
    print(
        f"\nthe sandbox received {stats.received} requests: {dict(sorted(stats.by_action.items()))}"
    )


if __name__ == "__main__":
    main()
