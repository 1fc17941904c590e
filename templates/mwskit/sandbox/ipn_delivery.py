"""The sandbox's Instant Payment Notifications: each Amazon Pay change of state, signed like
Amazon SNS does (`ipn_signer`, with a certificate made for this sandbox) and POSTed to the
merchant's IPN URL (`python -m mwskit.sandbox --ipn-url URL`, or `Sandbox(ipn_url=URL)`).

Delivery is synchronous, once per notification, in the order the changes happened, after the
sandbox's lock is released and before the answer of the request that caused them; a receiver
that does not answer 2xx within `timeout` seconds counts as `failed` (Amazon would retry; the
sandbox does not). MessageIds and NotificationReferenceIds follow the sandbox's seed. The
receiving side trusts `certificate_pem` at `certificate_url` (`IPNVerifier(trusted_certificates=
delivery.trusted_certificates, topic_arns=[delivery.topic_arn])`).

Signing needs the `cryptography` package (`pip install "mwskit[ipn]"`); it is imported only
when an IPN URL is given, so the sandbox runs without it otherwise.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

import httpx

from .payment_objects import Notification

__all__ = ["IPNDelivery"]


class IPNDelivery:
    """Signs and POSTs notifications to `url`; counts what was `delivered` and what `failed`."""

    def __init__(
        self, url: str, clock: Callable[[], datetime], *, seed: int = 0, timeout: float = 5.0
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"ipn_url must be an http:// or https:// URL; got {url!r}")
        if timeout <= 0:
            raise ValueError(f"the IPN timeout must be above 0 seconds; got {timeout}")
        from .ipn_signer import IPNSigner, amazon_pay_message  # the ipn extra, only for IPNs

        self._message = amazon_pay_message
        self.url = url
        self.timeout = timeout
        self.signer = IPNSigner(clock=clock)
        self.delivered = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._ids = random.Random(f"ipn/{seed}")  # MessageIds and NotificationReferenceIds

    @property
    def certificate_pem(self) -> bytes:
        return self.signer.certificate_pem

    @property
    def certificate_url(self) -> str:
        return self.signer.certificate_url

    @property
    def topic_arn(self) -> str:
        return self.signer.topic_arn

    @property
    def trusted_certificates(self) -> dict[str, bytes]:
        return self.signer.trusted_certificates

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def deliver(self, notifications: Iterable[Notification]) -> None:
        """POST each notification, signed, in order (counting, never raising, on failure)."""
        for notification in notifications:
            with self._lock:
                reference_id, message_id = self._uuid(), self._uuid()
            message = self._message(
                notification.type,
                notification.data.decode("utf-8"),
                seller_id=notification.seller,
                release_environment="Sandbox" if notification.sandbox else "Live",
                notification_reference_id=reference_id,
            )
            signed = self.signer.sign(message, message_id=message_id)
            try:
                answer = httpx.post(
                    self.url, content=signed.body, headers=signed.headers, timeout=self.timeout
                )
                ok = answer.is_success
            except httpx.HTTPError:
                ok = False
            with self._lock:
                if ok:
                    self.delivered += 1
                else:
                    self.failed += 1
