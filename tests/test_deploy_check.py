"""Acceptance: "`check --deploy` passes on production settings, as a test" — and no secret is
in the repository.

The check runs in a fresh process, as an operator would run it, with production settings and
nothing but a generated key, a host name and a database URL from the environment.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[1]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "OFFRAMP_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "offramp.config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "offramp.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
    }
    return env | extra


def offramp(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offramp.cli", *args],
        env=env,
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_on_production_settings(tmp_path: Path) -> None:
    # --database default also opens the database, which catches options SQLite rejects.
    result = offramp(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        "--database",
        "default",
        env=production_env(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_a_weak_secret_key(tmp_path: Path) -> None:
    """The test above would pass vacuously if the deploy checks were not running at all."""
    result = offramp(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(tmp_path, DJANGO_SECRET_KEY="short"),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def production_settings(tmp_path: Path, **extra: str) -> dict[str, object]:
    script = (
        "import json, django; from django.conf import settings; django.setup(); print(json.dumps("
        "{'database': settings.DATABASES['default'],"
        " 'two_factor': settings.OFFRAMP_REQUIRE_TWO_FACTOR,"
        " 'idle': settings.OFFRAMP_SESSION_IDLE_SECONDS,"
        " 'absolute': settings.OFFRAMP_SESSION_ABSOLUTE_SECONDS,"
        " 'cookie_age': settings.SESSION_COOKIE_AGE,"
        " 'hashers': settings.PASSWORD_HASHERS,"
        " 'apps': settings.INSTALLED_APPS}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=production_env(tmp_path, **extra),
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


def test_production_requires_tls_to_postgresql_and_two_factor(tmp_path: Path) -> None:
    values = production_settings(
        tmp_path, DATABASE_URL="postgres://offramp:pw@db.internal:5432/offramp"
    )
    database = values["database"]
    assert isinstance(database, dict)
    assert database["OPTIONS"] == {"sslmode": "require"}
    assert values["two_factor"] is True
    assert values["hashers"] == [  # Argon2 first: new and re-hashed passwords use it
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    assert (values["idle"], values["absolute"]) == (30 * 60, 10 * 60 * 60)
    assert values["cookie_age"] == values["absolute"]


def test_production_does_not_install_the_synthetic_area(tmp_path: Path) -> None:
    apps = production_settings(tmp_path)["apps"]
    assert isinstance(apps, list)
    assert "offramp.web" in apps
    assert "offramp.demo" not in apps


def test_production_session_limits_come_from_the_environment(tmp_path: Path) -> None:
    values = production_settings(
        tmp_path, OFFRAMP_SESSION_IDLE_SECONDS="900", OFFRAMP_SESSION_ABSOLUTE_SECONDS="28800"
    )
    assert (values["idle"], values["absolute"], values["cookie_age"]) == (900, 28800, 28800)


# --- no secret in the repository -------------------------------------------------------------

# Settings files allowed a literal SECRET_KEY: the test suite's, which signs nothing real.
LITERAL_KEY_ALLOWED = {"src/offramp/config/settings/test.py"}
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY( BLOCK)?-----"),
    "Offramp API token": re.compile(r"\bofr_[A-Za-z0-9_-]{30,}"),
    "Django secret key literal": re.compile(r"\bSECRET_KEY\s*[:=]\s*[rbuf]?['\"][^'\"]{8,}"),
    "secret key in an environment file": re.compile(
        r"^\s*(?:export\s+)?DJANGO_SECRET_KEY\s*=\s*['\"]?[^\s'\"$]{8,}", re.M
    ),
    "Django startproject key": re.compile(r"django-insecure-[^\s'\"]{10,}"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "password in a database URL": re.compile(r"postgres(?:ql)?://[^:/\s'\"]+:[^@\s'\"]{12,}@"),
}


def repository_files() -> list[str]:
    """Tracked files, and new files not yet tracked but not ignored (read-only git)."""
    git = shutil.which("git")
    if git is None or not (REPO_DIR / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    listed = subprocess.run(
        [git, "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_DIR,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted({name for name in listed.split("\0") if name})


def test_no_secret_is_in_the_repository() -> None:
    found: list[str] = []
    files = repository_files()
    assert "src/offramp/config/settings/production.py" in files
    for name in files:
        path = REPO_DIR / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_text(errors="ignore")
        for label, pattern in SECRET_PATTERNS.items():
            if label == "Django secret key literal" and name in LITERAL_KEY_ALLOWED:
                continue
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}: {label}")
    assert not found, "secrets in the repository:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("label", "sample"),
    [
        # Split, so that this file does not itself hold what the scan looks for.
        ("private key", "-----BEGIN RSA " + "PRIVATE KEY-----"),
        ("private key", "-----BEGIN OPENSSH " + "PRIVATE KEY-----"),
        ("Offramp API token", "token = 'ofr_" + "x" * 43 + "'"),
        ("Django secret key literal", 'SECRET_KEY = "' + "k" * 50 + '"'),
        ("secret key in an environment file", "DJANGO_SECRET_KEY=" + "k" * 50),
        ("Django startproject key", "django-insecure-" + "a" * 40),
        ("password in a database URL", "postgres://offramp:" + "p" * 20 + "@db/offramp"),
    ],
)
def test_the_secret_scan_recognises_secrets(label: str, sample: str) -> None:
    assert SECRET_PATTERNS[label].search(sample)


@pytest.mark.parametrize(
    "sample",
    [
        'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]',
        'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev")',
        "DJANGO_SECRET_KEY=$(openssl rand -base64 48)",
        "DATABASE_URL=postgres://offramp@localhost/offramp",
    ],
)
def test_the_secret_scan_leaves_environment_lookups_alone(sample: str) -> None:
    assert not any(pattern.search(sample) for pattern in SECRET_PATTERNS.values())
