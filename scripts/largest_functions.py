"""Print the largest functions, methods and modules of a package, to watch their size.

A function's size is its lines from the ``def`` (decorators excluded) to its last line, nested
functions included; a module's size is its line count. ``python scripts/largest_functions.py
[-n 10] [--over 80] [ROOT]`` (ROOT defaults to ``mooc``). With ``--over``, it lists every
function longer than that and exits 1 if there is any, so it can guard a limit.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Function:
    lines: int
    name: str
    path: Path
    lineno: int


def _functions(tree: ast.AST, path: Path, prefix: str = "") -> list[Function]:
    """Every function and method under ``tree``, named by its enclosing classes and functions."""
    found: list[Function] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = prefix + node.name
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            found.append(Function(size, name, path, node.lineno))
            found.extend(_functions(node, path, name + "."))
        elif isinstance(node, ast.ClassDef):
            found.extend(_functions(node, path, prefix + node.name + "."))
        else:
            found.extend(_functions(node, path, prefix))
    return found


def measure(root: Path) -> tuple[list[Function], list[tuple[int, Path]]]:
    """Functions and modules under ``root`` (a folder or one file), each list largest first."""
    functions: list[Function] = []
    modules: list[tuple[int, Path]] = []
    for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        modules.append((len(source.splitlines()), path))
        functions.extend(_functions(ast.parse(source, filename=str(path)), path))
    functions.sort(key=lambda f: (-f.lines, str(f.path), f.lineno))
    modules.sort(key=lambda m: (-m[0], str(m[1])))
    return functions, modules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default="mooc", type=Path)
    parser.add_argument("-n", type=int, default=10, help="how many of each to print")
    parser.add_argument("--over", type=int, help="list every function longer than this; exit 1")
    args = parser.parse_args(argv)
    functions, modules = measure(args.root)
    if args.over is not None:
        too_long = [f for f in functions if f.lines > args.over]
        for f in too_long:
            print(f"{f.lines:5}  {f.name}  {f.path}:{f.lineno}")
        return 1 if too_long else 0
    print(f"Largest functions in {args.root}/")
    for f in functions[: args.n]:
        print(f"{f.lines:5}  {f.name}  {f.path}:{f.lineno}")
    print(f"\nLargest modules in {args.root}/")
    for size, path in modules[: args.n]:
        print(f"{size:5}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
