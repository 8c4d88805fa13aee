"""The shape of agent/ (issue 31). Package arrows point one way: every import in
``agent/`` — at module level or inside a function — goes from a package to one in a
lower layer, as README's ``layers`` block says (a new package must be placed in that
block). And no function is longer than a screen."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _layers() -> dict[str, int]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```layers\n(.*?)```", readme, re.S)
    assert block, "README has no ```layers block"
    out: dict[str, int] = {}
    for line in block.group(1).splitlines():
        level, *names = line.split()
        out |= {name: int(level) for name in names}
    return out


def _package(path: Path) -> str:
    """``agent/grading/queue.py`` → ``grading``; ``agent/settings.py`` → ``settings``."""
    parts = path.relative_to(ROOT / "agent").with_suffix("").parts
    return parts[0]


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, package under agent) of every absolute import of ``agent.*``."""
    out: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "agent" and len(parts) > 1:
                out.add((node.lineno, parts[1]))
    return sorted(out)


def test_every_import_in_agent_goes_down_the_layers() -> None:
    layers = _layers()
    wrong: list[str] = []
    for path in sorted((ROOT / "agent").rglob("*.py")):
        src = _package(path)
        if src == "__init__":
            continue
        assert src in layers, f"{src} (agent/{src}) is not in README's layers block"
        for line, dst in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            if dst == src:
                continue
            assert dst in layers, f"{dst} is not in README's layers block"
            if layers[dst] >= layers[src]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {src} imports {dst}")
    assert wrong == []


def test_the_check_sees_an_arrow_that_runs_back_up(tmp_path: Path) -> None:
    """The walk finds imports inside functions too (where the old cycle hid)."""
    code = "def f():\n    from agent.interview.store import Store\n    return Store\n"
    assert _imported(ast.parse(code)) == [(2, "interview")]


#: The longest a function in agent/ may be (issue 31): one screen, one idea.
MAX_FUNCTION_LINES = 60


def test_no_function_in_agent_is_longer_than_a_screen() -> None:
    long = []
    for path in sorted((ROOT / "agent").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert long == []
