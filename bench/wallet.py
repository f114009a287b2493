"""Add to wallet, timed from the wallet: a full VC API exchange (POST `{}`, sign the DIDAuth
presentation, POST it, receive the copy) by the test wallet (tests/interop/js/wallet.mjs, Digital
Bazaar's libraries) against the app served on a loopback port (SQLite, werkzeug's threaded
server, as the browser journeys run it), one exchange after the other, each with a fresh
did:key. Also the wallet's verification of each copy it received (Digital Bazaar verifier,
issuer's DID document and status list fetched from the platform; cached after the first).

    .venv/bin/python bench/wallet.py [--exchanges 20]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.interop.jsref import ensure_installed  # noqa: E402
from tests.interop.wallet import run_wallet, wallet_platform  # noqa: E402


def _figures(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{name:<34} median {statistics.median(values):7.1f} ms   "
        f"min {ordered[0]:7.1f}   p95 {p95:7.1f}   max {ordered[-1]:7.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=20)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    installed = ensure_installed()
    with tempfile.TemporaryDirectory() as tmp, wallet_platform(Path(tmp)) as platform:
        warm = run_wallet(platform.exchanges(1), platform.live)  # first requests, JIT, caches
        results = run_wallet(platform.exchanges(args.exchanges), platform.live)
    assert all(r.verified and r.subject_is_mine for r in [*warm, *results]), "a copy failed"
    print(f"node {installed.node_version}; {len(results)} exchanges after 1 warm-up")
    print(_figures("exchange (start → copy received)", [r.exchange_ms for r in results]))
    print(_figures("wallet verifies the copy", [r.verify_ms for r in results]))


if __name__ == "__main__":
    main()
