"""The core stays a library: importing it loads no web framework, ORM, settings or feature."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_importing_the_core_pulls_in_no_platform_code() -> None:
    probe = (
        "import sys, mooc.credentials.core.verify, mooc.credentials.core.records;"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'werkzeug', 'sqlalchemy'} or (m.startswith('mooc.') and "
        "not m.startswith('mooc.credentials'))))) "
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == ""
