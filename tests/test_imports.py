"""What each entry point imports: prediction, score, serve and audit never load scikit-learn or SciPy.

Each case runs in a fresh interpreter, does what the entry point does, and lists the heavy
modules that ended up in ``sys.modules``. (The static import contract is in
``[tool.importlinter]`` of pyproject.toml, checked by ``make lint`` and the last test here.)
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "src" / "jdanalyzer" / "samples" / "ai_engineer.txt"
HEAVY = ("sklearn", "scipy", "joblib", "pandas")


def _loaded_after(code: str, heavy: tuple[str, ...] = HEAVY) -> set[str]:
    probe = (
        f"{code}\nimport sys\n"
        f"print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=REPO)
    return set(out.stdout.split())


def test_importing_the_package_loads_nothing_heavy() -> None:
    loaded = _loaded_after("import jdanalyzer, jdanalyzer.cli")
    assert loaded == set()


@pytest.mark.slow
def test_classify_needs_neither_scikit_learn_nor_pandas() -> None:
    # nor numpy.ma, which recent numpy's unique (without return_*) imports on its first call:
    # 30-40 ms of a cold start
    code = f"import jdanalyzer; jdanalyzer.classify(open({str(SAMPLE)!r}).read())"
    assert _loaded_after(code, (*HEAVY, "numpy.ma")) == set()


@pytest.mark.slow
def test_score_reads_tables_with_pandas_but_never_loads_scikit_learn(tmp_path: Path) -> None:
    rows = tmp_path / "in.csv"
    rows.write_text('id,description\n1,"' + SAMPLE.read_text().replace('"', '""') + '"\n')
    code = (
        "from typer.testing import CliRunner; from jdanalyzer.cli import app; "
        f"r = CliRunner().invoke(app, ['score', {str(rows)!r}, '-o', {str(tmp_path / 'out.csv')!r}, "
        "'--jobs', '1']); assert r.exit_code == 0, r.output"
    )
    assert _loaded_after(code) <= {"pandas"}


@pytest.mark.slow
def test_the_web_app_needs_neither_scikit_learn_nor_scipy() -> None:
    pytest.importorskip("fastapi")
    code = "from jdanalyzer.web.app import create_app; create_app()"
    assert _loaded_after(code) <= {"pandas"}


@pytest.mark.slow
def test_an_audit_of_a_folder_of_ads_needs_neither_scikit_learn_nor_pandas(tmp_path: Path) -> None:
    ads = tmp_path / "ads"
    ads.mkdir()
    (ads / "ai-engineer.txt").write_text(SAMPLE.read_text())
    code = (
        "from typer.testing import CliRunner; from jdanalyzer.cli import app; "
        f"r = CliRunner().invoke(app, ['audit', {str(ads)!r}, '-c', 'Acme', "
        f"'-o', {str(tmp_path / 'report.html')!r}]); assert r.exit_code == 0, r.output"
    )
    assert _loaded_after(code) == set()


def test_the_import_contract_holds() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    if not linter.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    out = subprocess.run([str(linter)], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stdout[-2000:]
    assert "broken" in out.stdout and "0 broken" in out.stdout


def test_no_module_imports_one_that_imports_it_back() -> None:
    """No import cycle among jdanalyzer's modules, counting imports made only for type
    checking and inside functions (grimp reads them all)."""
    grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (pip install -e '.[dev]')")
    graph = grimp.build_graph("jdanalyzer")
    assert "jdanalyzer.audit.run" in graph.find_modules_directly_imported_by("jdanalyzer.audit.charts")
    cycles = [
        chain
        for module in sorted(graph.modules)
        for imported in sorted(graph.find_modules_directly_imported_by(module))
        if imported != module
        and (chain := graph.find_shortest_chain(importer=imported, imported=module)) is not None
    ]
    assert cycles == []


#: What a module may import inside a function: optional extras (a missing one is a clear
#: error when the feature is used) and the readers of file formats that need them.
DEFERRED_OK = ("dask", "distributed", "docx", "inscriptis", "jinja2", "markupsafe", "matplotlib",
               "pyarrow", "pypdf", "pyphen", "uvicorn")
#: pandas reads the audit's CSV input only; an audit of a folder of ads never loads it.
DEFERRED_FOR_FORMATS = {("audit/ads.py", "pandas")}


def _deferred_imports(path: Path) -> list[tuple[int, str]]:
    """The imports made inside functions of ``path``, as (line, module)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found += [(inner.lineno, alias.name) for alias in inner.names]
                elif isinstance(inner, ast.ImportFrom):
                    found.append((inner.lineno, "." * inner.level + (inner.module or "")))
    return found


def test_modules_import_at_the_top_except_optional_extras() -> None:
    # Lazy imports belong to the CLI and the package __init__ (via __getattr__); elsewhere
    # they hide dependencies and cycles, so only optional extras may wait until used.
    package = REPO / "src" / "jdanalyzer"
    hidden = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith("cli/") or relative == "__init__.py":
            continue
        for line, module in _deferred_imports(path):
            root = module.split(".")[0]
            if root not in DEFERRED_OK and (relative, root) not in DEFERRED_FOR_FORMATS:
                hidden.append(f"{relative}:{line} imports {module} inside a function")
    assert hidden == []
