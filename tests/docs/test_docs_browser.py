"""The built site in a real browser: headless Chromium (tests/docs/docs_browser.py) loads it
from a local static server under a sub-path, as it would be published.

It checks that search finds `iter_list_orders` and ranks an exact action name first, that the
ListOrders reference has no horizontal overflow and no name split mid-word at desktop (1280 px)
and phone (390 px) width, in light and dark mode, that every page loads at phone width without
overflow, a console error or a failed request and every link on it leads to a page that exists
and an anchor on it, and that the 404 page works below the root. It saves
screenshots to .cache/screenshots/ (ignored by git).

Outside CI a machine without Chromium skips it, saying why; in CI (CI=true) it never skips:
.ci/run installs Debian's chromium.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from docs_browser import SITE_PREFIX, Browser, chromium_path, serve

from conftest import ROOT

SCREENSHOTS = ROOT / ".cache" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

TYPE_QUERY = """(query => {
    const input = document.querySelector('input.md-search__input');
    input.focus();
    input.value = query;
    for (const kind of ['input', 'keyup']) input.dispatchEvent(new Event(kind, {bubbles: true}));
})(%s)"""
QUERY_SHOWN = (
    "Array.from(document.querySelectorAll('.md-search-result__item a'))"
    ".some(a => a.href.includes(%s))"
)
RESULTS = "Array.from(document.querySelectorAll('.md-search-result__item a')).map(a => a.href)"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
LINKS = "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
PALETTE = "document.body.getAttribute('data-md-color-scheme')"
IDS = "Array.from(document.querySelectorAll('[id]')).map(e => e.id)"
# Names in parameter and field blocks that wrap inside a word: each text node of a name's
# <code> lies between two <wbr> break points, so one spread over two lines was split mid-word.
SPLIT_NAMES = """Array.from(document.querySelectorAll('dt code')).flatMap(code =>
    Array.from(code.childNodes).filter(node => {
        if (node.nodeType !== Node.TEXT_NODE) return false;
        const range = document.createRange();
        range.selectNodeContents(node);
        return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size > 1;
    }).map(node => code.textContent))"""
# The ListOrders section, from its heading to the next method's, in page coordinates.
LISTORDERS_AREA = """(() => {
    const top = document.getElementById('listorders').getBoundingClientRect().top;
    const end = document.getElementById('iter_list_orders').getBoundingClientRect().top;
    return {x: 0, y: top + window.scrollY - 16, width: window.innerWidth, height: end - top};
})()"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    browser = Browser(executable)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with serve(site, SITE_PREFIX) as url:
        yield url


def _search(browser: Browser, base: str, query: str) -> list[str]:
    """The result links, best first, for a query typed into the search box of the open page
    (its search index is loaded once); each link names its query (`?h=...`)."""
    browser.evaluate(TYPE_QUERY % json.dumps(query))
    browser.wait_for(QUERY_SHOWN % json.dumps(f"h={query.lower()}"))
    links: list[str] = browser.evaluate(RESULTS)
    return [link.removeprefix(base) for link in links]


def _first_entry(results: list[str]) -> str:
    """The first result that is a heading of a page (the page itself is listed above it)."""
    return next(link for link in results if "#" in link)


def test_search_finds_code_names_and_ranks_exact_names_first(browser: Browser, base: str) -> None:
    browser.navigate(f"{base}?q=iter_list_orders")  # the search reads `?q=` on load
    browser.wait_for("document.querySelectorAll('.md-search-result__item').length")
    results = _search(browser, base, "iter_list_orders")
    assert _first_entry(results) == "reference/orders/?h=iter_list_orders#iter_list_orders"
    for action, page in (
        ("GetReport", "reports"),
        ("ListOrders", "orders"),
        ("GetOrder", "orders"),
    ):
        entry = _first_entry(_search(browser, base, action))
        assert entry == f"reference/{page}/?h={action.lower()}#{action.lower()}", action
    entry = _first_entry(_search(browser, base, "request_and_get_report"))
    assert entry == "reference/reports/?h=request_and_get_report#request_and_get_report"
    # A parameter's Python name and a wire name find the action that takes them.
    assert _first_entry(_search(browser, base, "created_after")).endswith("#listorders")
    assert _first_entry(_search(browser, base, "OrderStatus.Status.N")).endswith("#listorders")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_action_page_has_no_horizontal_overflow(browser: Browser, base: str, width: str) -> None:
    columns, rows = WIDTHS[width]
    origin = base.removesuffix(SITE_PREFIX)
    for scheme, palette in (("light", "default"), ("dark", "slate")):
        browser.set_color_scheme(scheme, origin)
        browser.navigate(f"{base}reference/orders/", width=columns, height=rows)
        assert browser.evaluate(PALETTE) == palette
        assert browser.evaluate("window.innerWidth") == columns
        assert browser.evaluate(OVERFLOW) == 0, f"ListOrders overflows at {columns} px"
        assert browser.evaluate(SPLIT_NAMES) == [], f"names split mid-word at {columns} px"
        suffix = "" if scheme == "light" else "-dark"
        area = browser.evaluate(LISTORDERS_AREA)
        browser.screenshot(SCREENSHOTS / f"reference-orders-listorders-{columns}{suffix}.png", area)
    browser.set_color_scheme("light", origin)


@pytest.mark.slow  # every page of the site, about half a second each
def test_every_page_loads_cleanly_fits_a_phone_and_its_links_resolve(
    browser: Browser, base: str, site: Path
) -> None:
    pages = sorted(
        path.parent.relative_to(site).as_posix() + "/"
        for path in site.rglob("index.html")
        if path.parent != site
    )
    ids: dict[str, set[str]] = {}
    links: dict[str, list[str]] = {}
    for page in ["", *pages]:
        url = base + page.removeprefix("./")
        browser.problems.console.clear()
        browser.problems.failed.clear()
        browser.navigate(url, width=390, height=844)  # at phone width, the narrowest
        assert browser.problems.console == [], f"{url}: console errors"
        assert browser.problems.failed == [], f"{url}: failed requests"
        assert browser.evaluate(OVERFLOW) == 0, f"{url} overflows at 390 px"
        assert browser.evaluate(SPLIT_NAMES) == [], f"{url}: names split mid-word"
        ids[url] = set(browser.evaluate(IDS))
        links[url] = browser.evaluate(LINKS)
    broken = []
    for url, targets in links.items():
        for target in targets:
            address, fragment = urldefrag(urljoin(url, target))
            if not address.startswith(base):
                continue  # outside the site (MWS documentation, ...): not followed
            if address not in ids:
                broken.append(f"{url}: {target} (no such page)")
            elif fragment and fragment not in ids[address]:
                broken.append(f"{url}: {target} (no anchor)")
    assert broken == []


def test_404_page_works_under_a_sub_path(browser: Browser, base: str) -> None:
    browser.problems.console.clear()
    browser.problems.failed.clear()
    missing = f"{base}no/such/page/"
    browser.navigate(missing)
    # The page itself answers 404; everything it loads (styles, scripts, images) must not.
    assert browser.problems.failed == [f"404 {missing}"]
    assert browser.evaluate("document.querySelector('h1').innerText") == "404 - Not found"
    styled = "getComputedStyle(document.querySelector('.md-header')).position"
    assert browser.evaluate(styled) in ("sticky", "fixed")
    home = browser.evaluate("document.querySelector('a.md-logo').href")
    assert home == base
    browser.screenshot(SCREENSHOTS / "not-found.png")
