"""The architecture contracts in pyproject.toml ([tool.importlinter]) hold, and they bite.

`make lint` runs `lint-imports`; these tests run it on the real tree and on a copy with one
violation planted per contract, so a contract that stopped checking anything would fail here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(REPO_DIR / "pyproject.toml")],
        env={"PYTHONPATH": str(source_root), "PATH": "/usr/bin:/bin"},
        cwd=source_root,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_contracts_hold_on_the_tree() -> None:
    result = lint_imports(REPO_DIR / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


PLANTED = {
    "analysis imports Django": (
        "analysis/planted.py",
        "from django.db import models\n",
        "The analysis engines and the framework loader import no Django",
    ),
    "analysis imports a domain app": (
        "analysis/planted.py",
        "import offramp.people.models\n",
        "The analysis engines and the framework loader import no Django",
    ),
    "a production app imports the synthetic area": (
        "cases/planted.py",
        "import offramp.demo.synth\n",
        "Nothing the product runs imports the synthetic area",
    ),
    "a selector imports the pages above it": (
        "referrals/selectors.py",
        "import offramp.web.views  # planted\n",
        "Models, services, selectors and access rules never import the pages",
    ),
    "the access rules import an app's API": (
        "access/scoping.py",
        "import offramp.networks.api  # planted\n",
        "Models, services, selectors and access rules never import the pages",
    ),
    "the shell imports a domain app's pages": (
        "web/context_processors.py",
        "import offramp.cases.views.common  # planted\n",
        "The shell and the API assembly import no domain app's pages or API routers",
    ),
    "the API assembly imports a router by name": (
        "api/main.py",
        "import offramp.people.api  # planted\n",
        "The shell and the API assembly import no domain app's pages or API routers",
    ),
}


@pytest.mark.parametrize("violation", sorted(PLANTED))
def test_a_planted_violation_breaks_its_contract(violation: str, tmp_path: Path) -> None:
    module, line, contract = PLANTED[violation]
    shutil.copytree(
        REPO_DIR / "src" / "offramp",
        tmp_path / "offramp",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "*.csv"),
    )
    planted = tmp_path / "offramp" / module
    existing = planted.read_text() if planted.exists() else ""
    planted.write_text(existing + line)

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Contracts:")[0]
    assert contract in broken.replace("\n", " ")
    assert "BROKEN" in broken
