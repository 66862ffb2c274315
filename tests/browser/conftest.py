"""Playwright driving Debian's Chromium against pytest-django's live server.

No browser is ever downloaded: Playwright launches the system Chromium by its path
(`scripts/install-test-packages` installs it). Without it the browser tests skip locally with the
reason, and fail in CI (the CI environment variable is set) so they never skip silently there.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
AXE_PATH = REPO_DIR / "node_modules" / "axe-core" / "axe.min.js"
SHOTS_DIR = Path("/tmp/offramp-shots")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# axe impacts that fail a page; "minor" and "moderate" are reported by axe but tolerated here.
FAILING_IMPACTS = frozenset({"serious", "critical"})


def _unavailable(reason: str) -> None:
    """Skips locally; fails in CI, where a skipped browser test would hide a broken journey."""
    if os.environ.get("CI"):
        pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"Browser tests need it: {reason}")


def _chromium_path() -> str | None:
    override = os.environ.get("OFFRAMP_CHROMIUM")
    if override:
        return override if os.access(override, os.X_OK) else None
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package 'playwright' is not installed (pip install -e '.[dev]').")
    executable = _chromium_path()
    if executable is None:
        _unavailable(
            "Debian's Chromium was not found (looked for $OFFRAMP_CHROMIUM, `chromium` on the "
            "PATH and /usr/bin/chromium); install it with scripts/install-test-packages "
            "(or `make browser`)."
        )
    if not AXE_PATH.exists():
        _unavailable(f"axe-core is missing at {AXE_PATH}; run `npm ci`.")
    # Playwright's sync API keeps an asyncio loop registered as running in this thread, and
    # Django then refuses ORM calls from it (fixtures, flushes). The tests' own ORM calls are
    # plain synchronous code, so the guard is lifted while the browser lives and no longer.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as error:
            playwright.stop()
            _unavailable(f"Chromium at {executable} would not start: {error}")
        try:
            yield chromium
        finally:
            chromium.close()
            playwright.stop()


class PageProblems:
    """JavaScript errors and failed requests seen by a page: our markup must cause none."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.items.append(f"JavaScript error: {error}"))
        page.on("console", lambda message: self._console(page, message))
        page.on("response", self._response)

    def _console(self, page: Any, message: Any) -> None:
        if message.type == "error":
            self.items.append(f"console error: {message.text} ({page.url})")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.items.append(f"HTTP {response.status} for {response.url}")


def _new_page(browser: Any, live_server: Any, *, javascript: bool = True) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        bypass_csp=True,  # lets the tests inject axe-core; the site's own CSP stays strict
        java_script_enabled=javascript,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    try:
        yield page
    finally:
        context.close()
    assert not problems.items, "The pages reported problems:\n" + "\n".join(problems.items)


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    yield from _new_page(browser, live_server)


@pytest.fixture
def page_without_js(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    yield from _new_page(browser, live_server, javascript=False)


def _describe(violation: dict[str, Any]) -> str:
    lines = [
        f"[{violation['impact']}] {violation['id']}: {violation['help']}",
        f"    {violation['helpUrl']}",
    ]
    for node in violation["nodes"][:5]:
        lines.append(f"    at {' '.join(map(str, node['target']))}")
        lines.append(f"       {node['html'][:200]}")
        summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
        if summary:
            lines.append(f"       {summary}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    ...and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    """Runs axe-core on the page as it is now; fails on serious or critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_PATH))
    results = page.evaluate(
        "async () => { const r = await axe.run(document);"
        " return {violations: r.violations, incomplete: r.incomplete}; }"
    )
    violations = results["violations"]
    if os.environ.get("OFFRAMP_AXE_VERBOSE"):  # shows the tolerated and unsure ones, for triage
        for kind in ("violations", "incomplete"):
            for item in results[kind]:
                targets = ", ".join(" ".join(map(str, n["target"])) for n in item["nodes"][:4])
                print(f"axe {kind} on {page.url}: [{item['impact']}] {item['id']} at {targets}")
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    if failing:  # raised, not asserted, so the report is not followed by the raw results
        report = "\n\n".join(_describe(v) for v in failing)
        raise AssertionError(f"axe-core found accessibility problems on {page.url}:\n{report}")


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot for people to look at; kept out of the repository."""
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SHOTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
