"""The README's configuration table matches the code: every variable read is documented, every one documented is read.

The lists are derived from the code (the source of Settings.from_env, the environment reads of every Python
file, the shell expansions of the scripts and the Makefile), never written out here.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import textwrap
from pathlib import Path

from dashboard.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CONFIG_HEADING = "## Configuration (environment variables)"
SKIPPED_DIRS = {".venv", ".git", "node_modules", ".mypy_cache", ".ruff_cache", ".pytest_cache", "instance", "bench"}
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# $NAME, ${NAME}, ${NAME:-x}, ${NAME+set}; in a Makefile recipe $$NAME / $${NAME}.
SHELL_EXPANSION = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")


def readme_variables(text: str) -> list[str]:
    """The variables in the first column of the README's configuration table."""
    assert CONFIG_HEADING in text, f"the README has no {CONFIG_HEADING!r} section"
    section = text.split(CONFIG_HEADING, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", section, flags=re.MULTILINE)


def _is_environment(node: ast.expr) -> bool:
    """`os.environ`, `environ` or the `env` mapping Settings.from_env reads."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id in {"environ", "env"}


def _constant_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and ENV_NAME.fullmatch(node.value):
        return node.value
    return None


def environment_reads(tree: ast.AST) -> set[str]:
    """Names read as env.get("X"), os.environ.get("X"), os.environ["X"] or os.getenv("X") anywhere in tree."""
    names: set[str] = set()
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            func = node.func
            if (func.attr in {"get", "pop"} and _is_environment(func.value)) or (
                func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os"
            ):
                name = _constant_name(node.args[0])
        elif isinstance(node, ast.Subscript) and _is_environment(node.value):
            name = _constant_name(node.slice)
        if name:
            names.add(name)
    return names


def _from_env_tree() -> ast.Module:
    return ast.parse(textwrap.dedent(inspect.getsource(Settings.from_env)))


def settings_variables() -> set[str]:
    """Every variable Settings.from_env reads, from its source."""
    return environment_reads(_from_env_tree())


def variables_by_field() -> dict[str, set[str]]:
    """For each keyword of the Settings(...) call in from_env, the variables its value reads."""
    calls = [
        node.value
        for node in ast.walk(_from_env_tree())
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call)
    ]
    assert len(calls) == 1, "Settings.from_env should end in one `return cls(...)`"
    return {kw.arg: environment_reads(kw.value) for kw in calls[0].keywords if kw.arg is not None}


def _repo_files(pattern: str) -> list[Path]:
    return [p for p in ROOT.rglob(pattern) if not SKIPPED_DIRS.intersection(p.relative_to(ROOT).parts)]


def variables_read_in_repo() -> set[str]:
    """Variables read by any Python file, shell script or the Makefile of the repository."""
    names: set[str] = set()
    for path in _repo_files("*.py"):
        names |= environment_reads(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    for path in [*_repo_files("*.sh"), ROOT / "Makefile"]:
        names |= set(SHELL_EXPANSION.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_settings_field_is_read_from_an_environment_variable():
    fields = {f.name for f in dataclasses.fields(Settings)}
    by_field = variables_by_field()
    assert set(by_field) == fields, "Settings fields that Settings.from_env does not set: " + ", ".join(
        sorted(fields - set(by_field))
    )
    unread = sorted(name for name, variables in by_field.items() if len(variables) != 1)
    assert not unread, f"fields not read from exactly one environment variable: {unread}"


def test_every_variable_settings_reads_is_in_the_readme_table():
    read = settings_variables()
    assert read, "found no env.get(...) in Settings.from_env: has the way it reads the environment changed?"
    missing = sorted(read - set(readme_variables(README.read_text(encoding="utf-8"))))
    assert not missing, f"read by Settings.from_env but not in the README's configuration table: {missing}"


def test_every_variable_in_the_readme_table_is_read_somewhere():
    documented = readme_variables(README.read_text(encoding="utf-8"))
    assert documented, "the README's configuration table lists no variable"
    assert len(documented) == len(set(documented)), "a variable is listed twice in the README's table"
    unread = sorted(set(documented) - variables_read_in_repo())
    assert not unread, f"in the README's configuration table but read nowhere in the repository: {unread}"


def test_the_checks_see_what_they_look_for():
    """The helpers above would notice an undocumented or an unread variable (guards against vacuous passes)."""
    tree = ast.parse('import os\nx = os.environ.get("A_VAR")\ny = os.environ["B_VAR"]\nz = os.getenv("C_VAR")')
    assert environment_reads(tree) == {"A_VAR", "B_VAR", "C_VAR"}
    table = f"{CONFIG_HEADING}\n\n| variable | default |\n|---|---|\n| `ONE` | 1 |\n| `TWO` | 2 |\n\n## Next\n| `NO` |"
    assert readme_variables(table) == ["ONE", "TWO"]
    assert SHELL_EXPANSION.findall('echo "$${TEST_X:-unset}"; [[ -z ${TEST_Y+set} ]]; $(BIN)/python') == [
        "TEST_X",
        "TEST_Y",
    ]
