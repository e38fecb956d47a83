"""`python -O` must not change what the application does: it drops `assert` statements and
`if __debug__:` blocks, so application code has neither (tests may assert freely)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPLICATION = ["bot", "handlers", "storage", "scheduler", "sandbox", "benchmarks"]


def test_application_code_has_no_assert_statements():
    found = []
    for package in APPLICATION:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                debug = isinstance(node, ast.Name) and node.id == "__debug__"
                if isinstance(node, ast.Assert) or debug:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
