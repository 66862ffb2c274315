"""A malformed framework file stops start-up with an error naming the file and the entry."""

import os
import subprocess
import sys
from pathlib import Path


def _check(extension: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OFFRAMP_FRAMEWORK_EXTENSION": str(extension)}
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "offramp.config.settings.local"
    return subprocess.run(
        [sys.executable, "-m", "offramp.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_malformed_local_extension_stops_start_up(tmp_path):
    extension = tmp_path / "hartmoor.yaml"
    extension.write_text(
        'version: "1"\nname: Hartmoor\nfactors:\n'
        "  - id: county_lines_runner\n    category: criminality\n    name: Runner\n"
    )
    result = _check(extension)
    assert result.returncode != 0
    assert str(extension) in result.stderr
    assert "county_lines_runner" in result.stderr


def _documented_example() -> str:
    """The example extension in docs/framework.md, so the documentation stays true."""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "framework.md").read_text()
    return docs.split("```yaml\nversion:", 1)[1].split("```", 1)[0]


def test_the_documented_local_extension_starts(tmp_path):
    extension = tmp_path / "exampleshire.yaml"
    extension.write_text("version:" + _documented_example())
    result = _check(extension)
    assert result.returncode == 0, result.stderr
