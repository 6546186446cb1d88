"""Browser tests: Playwright for Python driving Debian's Chromium (no download)."""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.second_factor import pass_second_factor

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
AXE_JS = (
    Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@contextmanager
def _orm_beside_playwright():
    """Allow the ORM while a browser test runs.

    Playwright's sync API keeps an event loop running in this thread from the
    first browser test to the end of the session, so Django would refuse the
    ORM calls a browser test makes (test data, database flushes), although
    they are plain synchronous code. Only for browser tests (which run last,
    see _BrowserTestsLast), and never left in the environment,
    where subprocesses such as `check --deploy` would see it.
    """
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


# Hooks in this conftest only run for the tests in this folder.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    with _orm_beside_playwright():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with _orm_beside_playwright():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    with _orm_beside_playwright():
        return (yield)


@pytest.fixture(scope="session")
def playwright(django_db_setup, playwright):
    """Playwright, started after the test database exists and stopped before
    it is torn down, so neither happens while its event loop runs."""
    return playwright


def _is_browser_test(item):
    return "tests/e2e/" in str(item.fspath)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # Before `-m e2e` / `-m "not e2e"` select on it.
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.e2e)


class _BrowserTestsLast:
    """Browser tests run after all others (a stable sort keeps every other
    order): once Playwright's event loop runs, Django refuses ORM calls in
    this thread, and only browser tests are allowed them
    (_orm_beside_playwright). trylast: after pytest and pytest-django reorder."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        items.sort(key=_is_browser_test)


def pytest_configure(config):
    config.pluginmanager.register(_BrowserTestsLast(), "e2e-browser-tests-last")


@pytest.fixture
def newsroom(live_server):
    """Sections, authors, tags and stories with pictures (tests/e2e/site_data.py).

    Built for each test: the live server needs a transactional database, which
    Django empties after each test (tests/conftest.py puts back the rows data
    migrations made). serialized_rollback would not do: with Playwright's
    event loop running, the test gets its own database connection object,
    which never holds the serialized copy.
    """
    from .site_data import build_newsroom

    return build_newsroom()


@pytest.fixture
def url(live_server):
    """Absolute URL on the live server: url("/search/?q=...") or url(article)."""

    def make(target):
        path = target if isinstance(target, str) else target.get_absolute_url()
        return live_server.url + path

    return make


@pytest.fixture
def log_in(context, live_server):
    """Give the browser a logged-in session for `user`, without the login form."""

    def do(user):
        client = Client()
        client.force_login(user)
        if user.is_staff:
            pass_second_factor(client, user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    return do


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "ar"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        if page is not None:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(ARTIFACTS / f"FAILED-{item.name}.png"), full_page=True
            )
            (ARTIFACTS / f"FAILED-{item.name}.html").write_text(page.content())


@pytest.fixture
def shot(page):
    """Save a screenshot artefact: shot("home-phone")."""

    def take(name, full_page=False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)

    return take


@pytest.fixture
def axe(page):
    """Run axe-core in the page; return every violation, whatever its impact."""

    def check():
        # Evaluated through the DevTools protocol, so our CSP need not allow it.
        page.evaluate(AXE_JS.read_text())
        result = page.evaluate("async () => await axe.run(document)")
        return [
            f"{v['id']} ({v['impact']}): {v['help']} ({len(v['nodes'])}x) "
            f"{[node['target'] for node in v['nodes'][:3]]}"
            for v in result["violations"]
        ]

    return check


@pytest.fixture
def assert_rtl_no_sideways_scroll(page):
    def check(width=360):
        before = page.viewport_size
        page.set_viewport_size({"width": width, "height": 800})
        assert page.get_attribute("html", "dir") == "rtl"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (
            f"{page.url} scrolls sideways by {overflow}px at {width}px"
        )
        page.set_viewport_size(before)

    return check
