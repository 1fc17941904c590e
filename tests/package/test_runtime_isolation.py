"""The generated package stands alone: no generator-time dependency at run time, and it is
clean under `mypy --strict`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import ROOT

GENERATED = ROOT / "generated"

BLOCKED = ("jinja2", "black", "jsonschema", "yaml", "generator")

SCRIPT = textwrap.dedent(
    """
    import base64, hashlib, hmac, importlib.abc, sys
    from urllib.parse import unquote

    BLOCKED = {blocked!r}
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in BLOCKED)
    assert not loaded, f"already imported at startup: {{loaded}}"

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"blocked for this test: {{name}}")
            return None

    sys.meta_path.insert(0, Blocker())
    for name in sorted(BLOCKED):
        try:
            __import__(name)
        except ImportError:
            pass
        else:
            raise SystemExit(f"the blocker failed to block {{name}}")

    from datetime import datetime, timezone
    import httpx
    import mwskit
    from mwskit import MWS, signing

    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(
            200,
            content=b"<GetServiceStatusResponse><GetServiceStatusResult><Status>GREEN</Status>"
            b"</GetServiceStatusResult><ResponseMetadata><RequestId>rid</RequestId>"
            b"</ResponseMetadata></GetServiceStatusResponse>",
        )

    mws = MWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key="EXAMPLE/SECRET+KEY",
        seller_id="A1EXAMPLESELLER",
        transport=httpx.MockTransport(handler),
        clock=lambda: datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    )
    response = mws.orders.get_service_status()
    assert response.status == "GREEN", response
    assert response.request_id == "rid"
    body = seen[0].content.decode()
    query, signature = body.split("&Signature=")
    assert query == (
        "AWSAccessKeyId=AKIAEXAMPLEACCESSKEY&Action=GetServiceStatus&SellerId=A1EXAMPLESELLER"
        "&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2024-01-02T03%3A04%3A05Z"
        "&Version=2013-09-01"
    ), query
    expected = base64.b64encode(
        hmac.new(
            b"EXAMPLE/SECRET+KEY",
            ("POST\\nmws.amazonservices.com\\n/Orders/2013-09-01\\n" + query).encode(),
            hashlib.sha256,
        ).digest()
    ).decode()
    assert unquote(signature) == expected
    assert signing.sign("x", "k") == base64.b64encode(hmac.new(b"k", b"x", hashlib.sha256).digest()).decode()
    leaked = sorted(name for name in sys.modules if name.split(".")[0] in BLOCKED)
    assert not leaked, leaked
    print("ISOLATED-OK", mwskit.__version__)
    """
).format(blocked=BLOCKED)


def test_import_and_sign_without_generator_dependencies(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-I", "-c", SCRIPT],
        cwd=tmp_path,  # keep /work/main (which holds the generator package) off sys.path
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ISOLATED-OK "), result.stdout + result.stderr


def test_generated_package_passes_mypy_strict(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),  # never write a cache into generated/
            "mwskit",
        ],
        cwd=GENERATED,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found in "), result.stdout
