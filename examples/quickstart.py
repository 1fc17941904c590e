"""Show the regenerated client at work against the local MWS sandbox, over real HTTP.

MWS itself no longer answers, so this starts `mwskit.sandbox` (an MWS-compatible server built
from the same specs) on a free loopback port and makes real, signed calls to it: a ListOrders
walked page by page, then a feed submitted, polled until done, and its processing report read.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

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
        since = datetime.now(timezone.utc) - timedelta(days=7)
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

        print("\nSubmitFeed, then GetFeedSubmissionList until _DONE_, then the result:")
        submitted = mws.feeds.submit_feed(
            feed_type=FeedType.POST_INVENTORY_AVAILABILITY_DATA, feed_content=FEED
        )
        info = submitted.feed_submission_info
        assert info is not None and info.feed_submission_id is not None
        feed_id = info.feed_submission_id
        print(f"  submitted feed {feed_id}: {info.feed_processing_status}")
        status = info.feed_processing_status
        while status != "_DONE_":
            time.sleep(0.1)
            listing = mws.feeds.get_feed_submission_list(feed_submission_id_list=[feed_id])
            status = listing.feed_submission_info[0].feed_processing_status
            print(f"  polled: {status}")
        report = mws.feeds.get_feed_submission_result(feed_submission_id=feed_id)
        print(
            f"  processing report: {len(report.content)} bytes, "
            f"MD5 verified: {report.md5_verified}"
        )
        print("  " + report.content.decode("utf-8", "replace").splitlines()[0][:100])

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
