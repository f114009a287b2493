"""Issue #15: no function in mooc/ grows past 80 lines (scripts/largest_functions.py measures)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 80

spec = importlib.util.spec_from_file_location(
    "largest_functions", ROOT / "scripts" / "largest_functions.py"
)
assert spec and spec.loader
largest_functions = importlib.util.module_from_spec(spec)
sys.modules.setdefault("largest_functions", largest_functions)
spec.loader.exec_module(largest_functions)


def test_the_script_names_methods_and_nested_functions_by_their_place(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "class Reader:\n"
        "    def people(self):\n"
        "        def one(row):\n"
        "            return row\n"
        "\n"
        "        return [one(r) for r in ()]\n"
        "\n"
        "\n"
        "async def fetch():\n"
        "    pass\n"
    )
    functions, modules = largest_functions.measure(tmp_path)
    assert [(f.lines, f.name, f.lineno) for f in functions] == [
        (5, "Reader.people", 2),
        (2, "Reader.people.one", 3),
        (2, "fetch", 9),
    ]
    assert modules == [(10, tmp_path / "a.py")]


def test_no_function_in_mooc_is_longer_than_80_lines() -> None:
    functions, _ = largest_functions.measure(ROOT / "mooc")
    too_long = [
        f"{f.lines} {f.name} {f.path.relative_to(ROOT)}:{f.lineno}"
        for f in functions
        if f.lines > LIMIT
    ]
    assert too_long == [], "split these into well-named smaller functions (issue #15)"
