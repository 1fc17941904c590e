"""Without the `ipn` extra (no cryptography) the section and the IPN module still import, and
verifying or signing says which extra to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from ipn_support import NOW, TOPIC, signed, signer

SCRIPT = textwrap.dedent(
    """
    import importlib.abc, sys
    from datetime import datetime

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "cryptography":
                raise ImportError(f"blocked for this test: {{name}}")
            return None

    sys.meta_path.insert(0, Blocker())

    import mwskit.off_amazon_payments
    from mwskit.off_amazon_payments.ipn import IPNExtraMissing, IPNVerifier

    verifier = IPNVerifier(
        topic_arns=[{topic!r}],
        fetch_certificate={pems!r}.__getitem__,
        clock=lambda: datetime.fromisoformat({now!r}),
    )
    try:
        verifier.verify({body!r})
    except IPNExtraMissing as error:
        print("verify:", error)
    try:
        import mwskit.sandbox.ipn_signer
    except IPNExtraMissing as error:
        print("signer:", error)
    print("loaded:", sorted(name for name in sys.modules if name.startswith("cryptography")))
    """
)


def test_without_cryptography_the_module_imports_and_verify_names_the_extra() -> None:
    ipn_signer = signer()
    script = SCRIPT.format(
        topic=TOPIC,
        pems={ipn_signer.certificate_url: ipn_signer.certificate_pem},
        now=NOW.isoformat(),
        body=signed(ipn_signer).body,
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    needs = 'the cryptography package: pip install "mwskit[ipn]"'
    assert result.stdout.splitlines() == [
        f"verify: IPNExtraMissing: verifying Amazon Pay IPNs needs {needs}",
        f"signer: IPNExtraMissing: signing test IPNs needs {needs}",
        "loaded: []",
    ]
