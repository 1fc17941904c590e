"""Amazon Pay (OffAmazonPayments) in the client: production and sandbox paths with their own
quotas, per-code error classes, and paging with NextPageToken, on a fake clock."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
import pytest
from runtime_helpers import NOW, FakeTimer

import mwskit
from conftest import ROOT
from mwskit import errors, signing
from mwskit.off_amazon_payments import PriceInput, _operations

SAMPLES = ROOT / "tests" / "samples" / "off_amazon_payments"
ORDER = "S01-5806490-2147504"


class Recorder:
    """Answers each action with its sample answer and records path, form and time."""

    def __init__(self, timer: FakeTimer) -> None:
        self.timer = timer
        self.calls: list[tuple[str, dict[str, str], float]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        self.calls.append((request.url.path, form, self.timer.now))
        return httpx.Response(200, content=(SAMPLES / f"{form['Action']}.xml").read_bytes())


def _client(timer: FakeTimer, recorder: Recorder, **options: object) -> mwskit.MWS:
    return mwskit.MWS(
        access_key="AK",
        secret_key="SK",
        seller_id=f"SELLER-{id(recorder)}",  # its own buckets: the registry is per seller
        transport=httpx.MockTransport(recorder),
        clock=lambda: NOW,
        timer=timer,
        **options,  # type: ignore[arg-type]
    )


def _authorize(mws: mwskit.MWS, reference: str = "ref-1") -> object:
    return mws.off_amazon_payments.authorize(
        amazon_order_reference_id=ORDER,
        authorization_reference_id=reference,
        authorization_amount=PriceInput(amount=Decimal("106.50"), currency_code="USD"),
    )


def test_sandbox_option_sends_the_section_to_its_sandbox_path_and_signs_that_path() -> None:
    timer = FakeTimer()
    recorder = Recorder(timer)
    sandbox = _client(timer, recorder, amazon_pay_sandbox=True)
    _authorize(sandbox)
    sandbox.orders.get_service_status()  # another section: unaffected
    production = _client(timer, recorder)
    _authorize(production)
    assert [path for path, _, _ in recorder.calls] == [
        "/OffAmazonPayments_Sandbox/2013-01-01",
        "/Orders/2013-09-01",
        "/OffAmazonPayments/2013-01-01",
    ]
    for path, form, _ in (recorder.calls[0], recorder.calls[2]):
        params = {key: value for key, value in form.items() if key != "Signature"}
        text = signing.string_to_sign("POST", "mws.amazonservices.com", path, params)
        assert signing.sign(text, "SK") == form["Signature"]


def test_sandbox_option_with_an_endpoint_keeps_the_endpoints_prefix() -> None:
    timer = FakeTimer()
    recorder = Recorder(timer)
    mws = _client(timer, recorder, amazon_pay_sandbox=True, endpoint="http://127.0.0.1:8080/mws")
    _authorize(mws)
    assert recorder.calls[0][0] == "/mws/OffAmazonPayments_Sandbox/2013-01-01"


def test_repr_shows_the_sandbox_option_only_when_set() -> None:
    timer = FakeTimer()
    recorder = Recorder(timer)
    assert repr(_client(timer, recorder, amazon_pay_sandbox=True)).endswith(
        "endpoint='https://mws.amazonservices.com', amazon_pay_sandbox=True)"
    )
    assert repr(_client(timer, recorder)).endswith("endpoint='https://mws.amazonservices.com')")
    text = repr(
        mwskit.AsyncMWS(access_key="AK", secret_key="SK", seller_id="S", amazon_pay_sandbox=True)
    )
    assert text.endswith("amazon_pay_sandbox=True)")


def test_sandbox_calls_are_throttled_by_the_sandbox_quota() -> None:
    """Authorize: production 10 at once, one more per second; sandbox 2, one more every 2 s."""
    timer = FakeTimer()
    recorder = Recorder(timer)
    sandbox = _client(timer, recorder, amazon_pay_sandbox=True)
    for number in range(5):
        _authorize(sandbox, f"ref-{number}")
    start = recorder.calls[0][2]
    assert [time - start for _, _, time in recorder.calls] == [0.0, 0.0, 2.0, 4.0, 6.0]


def test_production_quota_is_the_larger_production_bucket() -> None:
    timer = FakeTimer()
    recorder = Recorder(timer)
    production = _client(timer, recorder)
    for number in range(12):
        _authorize(production, f"ref-{number}")
    start = recorder.calls[0][2]
    assert [time - start for _, _, time in recorder.calls] == [0.0] * 10 + [1.0, 2.0]


def test_sandbox_and_production_buckets_of_one_seller_are_apart() -> None:
    timer = FakeTimer()
    recorder = Recorder(timer)
    options = {"seller_id": "ONE-SELLER"}
    sandbox = mwskit.MWS(
        access_key="AK",
        secret_key="SK",
        transport=httpx.MockTransport(recorder),
        clock=lambda: NOW,
        timer=timer,
        amazon_pay_sandbox=True,
        **options,
    )
    production = mwskit.MWS(
        access_key="AK",
        secret_key="SK",
        transport=httpx.MockTransport(recorder),
        clock=lambda: NOW,
        timer=timer,
        **options,
    )
    _authorize(sandbox, "a")
    _authorize(sandbox, "b")  # the sandbox bucket (2) is empty now
    for number in range(10):  # production's bucket is untouched: no wait
        _authorize(production, f"p-{number}")
    assert timer.sleeps == []
    _authorize(sandbox, "c")
    assert timer.sleeps == [pytest.approx(2.0)]


def test_async_client_uses_the_sandbox_path_and_quota() -> None:
    timer = FakeTimer()
    recorder = Recorder(timer)

    async def run() -> None:
        async with mwskit.AsyncMWS(
            access_key="AK",
            secret_key="SK",
            seller_id="ASYNC-SELLER",
            transport=httpx.MockTransport(recorder),
            clock=lambda: NOW,
            timer=timer,
            amazon_pay_sandbox=True,
        ) as mws:
            for number in range(3):
                await mws.off_amazon_payments.authorize(
                    amazon_order_reference_id=ORDER,
                    authorization_reference_id=f"ref-{number}",
                    authorization_amount=PriceInput(amount=Decimal("1"), currency_code="USD"),
                )

    asyncio.run(run())
    assert {path for path, _, _ in recorder.calls} == {"/OffAmazonPayments_Sandbox/2013-01-01"}
    assert timer.sleeps == [pytest.approx(2.0)]


def test_every_action_has_its_documented_sandbox_bucket() -> None:
    """docs:throttling-limits: writes 2 / 2 s, reads 5 / 1 s, GetServiceStatus 2 / 300 s."""
    production_to_sandbox = {(10, 1.0): (2, 2.0), (20, 0.5): (5, 1.0), (2, 300.0): (2, 300.0)}
    operations = [v for v in vars(_operations).values() if isinstance(v, mwskit._runtime.Operation)]
    assert len(operations) == 27
    for operation in operations:
        spec = operation.throttling
        assert spec.sandbox is not None, operation.name
        expected = production_to_sandbox[(spec.max_request_quota, spec.restore_seconds)]
        assert (spec.sandbox.max_request_quota, spec.sandbox.restore_seconds) == expected


def _error_answer(code: str, status: int) -> httpx.MockTransport:
    body = (
        '<ErrorResponse xmlns="http://mws.amazonservices.com/schema/OffAmazonPayments/2013-01-01">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>no</Message></Error>"
        "<RequestID>b1a2</RequestID></ErrorResponse>"
    ).encode()
    return httpx.MockTransport(lambda request: httpx.Response(status, content=body))


def test_a_section_error_code_raises_its_own_class() -> None:
    mws = mwskit.MWS(
        access_key="AK",
        secret_key="SK",
        seller_id="S",
        transport=_error_answer("CaptureNotRefundable", 405),
    )
    with pytest.raises(errors.CaptureNotRefundable) as raised:
        mws.off_amazon_payments.refund(
            amazon_capture_id=ORDER + "-C1",
            refund_reference_id="r1",
            refund_amount=PriceInput(amount=Decimal("1"), currency_code="USD"),
        )
    error = raised.value
    assert (error.code, error.status_code, error.request_id, error.error_type) == (
        "CaptureNotRefundable",
        405,
        "b1a2",
        "Sender",
    )
    assert isinstance(error, mwskit.off_amazon_payments.OffAmazonPaymentsError)
    assert isinstance(error, mwskit.MWSError)
    assert mwskit.off_amazon_payments.CaptureNotRefundable is errors.CaptureNotRefundable
    # the documented status, as data; None where no source gives one
    assert (errors.CaptureNotRefundable.http_status, errors.ConstraintsExist.http_status) == (
        405,
        404,
    )
    assert errors.InvalidTransactionId.http_status is None


def test_a_code_the_runtime_knows_keeps_the_runtime_class() -> None:
    mws = mwskit.MWS(
        access_key="AK",
        secret_key="SK",
        seller_id="S",
        transport=_error_answer("InvalidParameterValue", 400),
    )
    with pytest.raises(errors.InvalidParameterValue) as raised:
        mws.off_amazon_payments.get_authorization_details(amazon_authorization_id="x")
    assert not isinstance(raised.value, mwskit.off_amazon_payments.OffAmazonPaymentsError)


def test_section_error_codes_stay_plain_mws_errors_in_other_sections() -> None:
    mws = mwskit.MWS(
        access_key="AK",
        secret_key="SK",
        seller_id="S",
        transport=_error_answer("CaptureNotRefundable", 405),
    )
    with pytest.raises(mwskit.MWSError) as raised:
        mws.orders.get_service_status()
    assert type(raised.value) is mwskit.MWSError


def test_list_order_reference_pages_with_next_page_token() -> None:
    timer = FakeTimer()
    recorder = Recorder(timer)
    mws = _client(timer, recorder)
    pages = list(
        mws.off_amazon_payments.iter_list_order_reference(
            query_id="5678-23", query_id_type="SellerOrderId", payment_domain="NA_USD"
        )
    )
    assert [len(page.order_reference_list) for page in pages] == [2, 1]
    forms = [form for _, form, _ in recorder.calls]
    assert [form["Action"] for form in forms] == [
        "ListOrderReference",
        "ListOrderReferenceByNextToken",
    ]
    assert forms[1]["NextPageToken"] == "eyJuZXh0UGFnZSI6Mn0="
    assert "QueryId" not in forms[1]


def test_a_transaction_timeout_out_of_the_documented_range_is_refused_before_sending() -> None:
    timer = FakeTimer()
    recorder = Recorder(timer)
    mws = _client(timer, recorder)
    with pytest.raises(ValueError) as raised:
        mws.off_amazon_payments.authorize(
            amazon_order_reference_id=ORDER,
            authorization_reference_id="ref-1",
            authorization_amount=PriceInput(amount=Decimal("1"), currency_code="USD"),
            transaction_timeout=1441,
        )
    assert str(raised.value) == (
        "authorize(): transaction_timeout (TransactionTimeout) must be at least 0 and at most "
        "1440; got 1441"
    )
    assert recorder.calls == []
