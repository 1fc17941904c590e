"""Credentials resolved as services expect: arguments, then environment, then a profile file under
a temporary HOME; and the caller's own httpx client, proxy and TLS settings."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from mwskit import MWS, AsyncMWS, MissingCredentials
from mwskit._runtime.credentials import resolve_credentials

VARIABLES = (
    "MWS_ACCESS_KEY_ID",
    "MWS_SECRET_ACCESS_KEY",
    "MWS_SELLER_ID",
    "MWS_AUTH_TOKEN",
    "MWS_REGION",
    "MWSKIT_CREDENTIALS_FILE",
    "MWSKIT_PROFILE",
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary HOME with no MWS variables in the environment."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def write_profiles(home: Path, text: str) -> Path:
    path = home / ".config" / "mwskit" / "credentials"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


PROFILES = """\
[default]
access_key = AKFILE
secret_key = file-secret
seller_id = SELLERFILE
region = EU

[shop2]
access_key = AKSHOP2
secret_key = shop2-secret
seller_id = SELLERSHOP2
auth_token = amzn.mws.shop2
"""


def test_nothing_anywhere_names_every_place_looked(home: Path) -> None:
    with pytest.raises(MissingCredentials) as caught:
        MWS()
    path = home / ".config" / "mwskit" / "credentials"
    assert str(caught.value) == (
        "MissingCredentials: no MWS credentials found for access_key, secret_key, seller_id ("
        f"access_key: the access_key= argument, the MWS_ACCESS_KEY_ID environment variable, profile [default] of {path} (no such file); "
        f"secret_key: the secret_key= argument, the MWS_SECRET_ACCESS_KEY environment variable, profile [default] of {path} (no such file); "
        f"seller_id: the seller_id= argument, the MWS_SELLER_ID environment variable, profile [default] of {path} (no such file))"
    )


def test_the_default_profile_of_the_home_file(home: Path) -> None:
    write_profiles(home, PROFILES)
    with MWS() as mws:
        config = mws._session.config
        assert (config.access_key, config.secret_key, config.seller_id) == (
            "AKFILE",
            "file-secret",
            "SELLERFILE",
        )
        assert config.auth_token is None
        assert config.base_url() == "https://mws-eu.amazonservices.com"


def test_a_named_profile_by_argument_and_by_environment(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profiles(home, PROFILES)
    assert resolve_credentials(profile="shop2").access_key == "AKSHOP2"
    monkeypatch.setenv("MWSKIT_PROFILE", "shop2")
    found = resolve_credentials()
    assert (found.access_key, found.auth_token, found.region) == (
        "AKSHOP2",
        "amzn.mws.shop2",
        "NA",
    )


def test_the_environment_wins_over_the_file_and_arguments_over_both(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profiles(home, PROFILES)
    monkeypatch.setenv("MWS_ACCESS_KEY_ID", "AKENV")
    monkeypatch.setenv("MWS_REGION", "FE")
    found = resolve_credentials(seller_id="SELLERARG")
    assert (found.access_key, found.secret_key, found.seller_id, found.region) == (
        "AKENV",
        "file-secret",
        "SELLERARG",
        "FE",
    )


def test_the_environment_alone(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MWS_ACCESS_KEY_ID", "AKENV")
    monkeypatch.setenv("MWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("MWS_SELLER_ID", "SELLERENV")
    monkeypatch.setenv("MWS_AUTH_TOKEN", "amzn.mws.env")
    found = resolve_credentials()
    assert found.auth_token == "amzn.mws.env"
    assert repr(found) == "Credentials(access_key='AKENV', seller_id='SELLERENV', region='NA')"


def test_a_file_named_by_the_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = home / "elsewhere.ini"
    other.write_text("[default]\naccess_key=AKO\nsecret_key=SKO\nseller_id=SO\n", encoding="utf-8")
    monkeypatch.setenv("MWSKIT_CREDENTIALS_FILE", str(other))
    assert resolve_credentials().access_key == "AKO"
    monkeypatch.setenv("MWSKIT_CREDENTIALS_FILE", str(home / "missing.ini"))
    with pytest.raises(MissingCredentials) as caught:
        resolve_credentials()
    assert str(caught.value) == (
        f"MissingCredentials: profile [default] of {home / 'missing.ini'}: no such file"
    )


def test_a_missing_named_profile_is_an_error(home: Path) -> None:
    path = write_profiles(home, PROFILES)
    with pytest.raises(MissingCredentials) as caught:
        MWS(profile="shop3")
    assert str(caught.value) == f"MissingCredentials: {path} has no profile [shop3]"


def test_a_profile_missing_a_key_names_it(home: Path) -> None:
    path = write_profiles(home, "[default]\naccess_key = AK\nsecret_key = hidden-secret\n")
    with pytest.raises(MissingCredentials) as caught:
        resolve_credentials()
    assert str(caught.value) == (
        "MissingCredentials: no MWS credentials found for seller_id (seller_id: the seller_id= "
        f"argument, the MWS_SELLER_ID environment variable, profile [default] of {path})"
    )


def test_an_unreadable_file_never_shows_its_contents(home: Path) -> None:
    path = write_profiles(home, "secret_key = hidden-secret\n[default]\n")
    with pytest.raises(MissingCredentials) as caught:
        resolve_credentials()
    assert str(caught.value) == (
        f"MissingCredentials: {path} could not be read (MissingSectionHeaderError)"
    )
    assert "hidden-secret" not in repr(caught.value)


def test_async_client_uses_the_same_chain(home: Path) -> None:
    write_profiles(home, PROFILES)

    async def main() -> str:
        async with AsyncMWS(profile="shop2") as mws:
            return mws._session.config.seller_id

    assert asyncio.run(main()) == "SELLERSHOP2"


CREDENTIALS = {"access_key": "AK", "secret_key": "SK", "seller_id": "SELLER"}
STATUS = (
    b'<GetServiceStatusResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">'
    b"<GetServiceStatusResult><Status>GREEN</Status></GetServiceStatusResult>"
    b"</GetServiceStatusResponse>"
)


def test_the_callers_http_client_is_used_and_left_open() -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=STATUS)

    def hook(request: httpx.Request) -> None:
        seen.append(request.url.path)

    own = httpx.Client(transport=httpx.MockTransport(handle), event_hooks={"request": [hook]})
    with MWS(**CREDENTIALS, http_client=own) as mws:
        assert mws.orders.get_service_status().status == "GREEN"
    assert seen == ["/Orders/2013-09-01"]
    assert not own.is_closed
    own.close()


def test_the_callers_async_http_client() -> None:
    own = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=STATUS))
    )

    async def main() -> str:
        async with AsyncMWS(**CREDENTIALS, http_client=own) as mws:
            status = (await mws.orders.get_service_status()).status
        assert not own.is_closed
        await own.aclose()
        return str(status)

    assert asyncio.run(main()) == "GREEN"


def test_options_that_would_be_ignored_are_refused() -> None:
    own = httpx.Client()
    with pytest.raises(ValueError) as caught:
        MWS(**CREDENTIALS, http_client=own, proxy="http://proxy:3128")
    assert str(caught.value) == (
        "proxy= and verify= cannot be used with http_client=: set them on it instead"
    )
    with pytest.raises(ValueError) as caught:
        MWS(
            **CREDENTIALS,
            http_client=own,
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        )
    assert str(caught.value) == "pass either transport= or http_client=, not both"
    own.close()


def test_proxy_and_verify_reach_the_transport() -> None:
    with MWS(**CREDENTIALS, proxy="http://proxy.example:3128", verify=False) as mws:
        pool = mws._session._http._transport._pool  # type: ignore[attr-defined]
        assert type(pool).__name__ == "HTTPProxy"
        assert pool._proxy_url.host == b"proxy.example"
        assert pool._ssl_context.verify_mode.name == "CERT_NONE"
