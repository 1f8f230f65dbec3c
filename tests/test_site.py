"""The built site as a reader sees it, in a real browser (headless Chromium), with no internet.

Every page of the table of contents is loaded from a local server and checked: no JavaScript
error, every image loaded, the maths typeset by the MathJax the site serves itself, every glued
value present, launch and download buttons pointing at the page's notebook, working next and
previous links. A screenshot of each page is saved under _build/screenshots/ for a person to
look at. Needs Debian's chromium (/usr/bin/chromium); `.ci/run` installs it. Without it, the test
is skipped with a message saying so, except in CI, where it fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from urllib.parse import urljoin
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "_build" / "screenshots"
# Flags for a closed network: no background connections that would fail and log errors.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def toc_pages() -> list[str]:
    """Document names of the table of contents, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [entry["file"] for entry in part["chapters"]]
    return pages


PAGES = toc_pages()


@pytest.fixture(scope="session")
def server(built_site: Path) -> Iterator[str]:
    """Serve the built site on 127.0.0.1 (a free port) for the session."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # no line per request in the test log
            pass

    handler = functools.partial(Quiet, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"Chromium not found at {CHROMIUM}: the browser test of the site was NOT run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message + " (install Debian's chromium package to run it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("page_name", PAGES)
def test_page_works_in_a_real_browser(browser, server: str, page_name: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    # the browser asks every site for /favicon.ico; the book has none, and that is no error
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    url = f"{server}/{page_name}.html"
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    # MathJax typesets asynchronously: wait until it reports that it has finished.
    if page.locator("span.math, div.math").count():
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            " && document.querySelectorAll('mjx-container').length > 0", timeout=30_000
        )
        page.evaluate("() => MathJax.startup.promise")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{page_name.replace('/', '__')}.png"), full_page=True)

    assert not errors, f"JavaScript errors on {page_name}: {errors}"
    assert not failed, f"requests that failed on {page_name} (offline?): {failed}"

    broken = page.evaluate(
        "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert not broken, f"images that did not load on {page_name}: {broken}"

    raw_tex = page.evaluate(
        "() => [...document.querySelectorAll('span.math, div.math')]"
        ".filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"
    )
    assert not raw_tex, f"maths left untypeset on {page_name}: {raw_tex}"

    empty_glue = page.evaluate(
        "() => [...document.querySelectorAll('.pasted-text')].filter(e => !e.textContent.trim()).length"
    )
    assert empty_glue == 0
    # the prose, without code (the API reference shows the role's syntax in literals)
    prose = page.evaluate(
        "() => { const a = document.querySelector('article').cloneNode(true);"
        " a.querySelectorAll('code, pre').forEach(e => e.remove()); return a.textContent; }"
    )
    assert "{glue" not in prose, f"an unrendered glue role on {page_name}"

    if (ROOT / f"{page_name}.ipynb").exists():  # a notebook page (chapter or appendix)
        hrefs = page.evaluate("() => [...document.querySelectorAll('a')].map(a => a.href)")
        notebook = f"{page_name}.ipynb"
        assert any("colab.research.google.com" in h and h.endswith(notebook) for h in hrefs)
        assert any("mybinder.org" in h and notebook in h for h in hrefs)
        assert any(h.endswith(f"_sources/{notebook}") for h in hrefs), "no .ipynb download"
        download = page.request.get(f"{server}/_sources/{notebook}")
        assert download.ok and download.json()["cells"], "the .ipynb download is not a notebook"

    # previous and next links: every page but the first has one back, every page but the last
    # one forward, and they lead to the neighbours in the table of contents
    index = PAGES.index(page_name)
    for selector, neighbour in (("a.left-prev", index - 1), ("a.right-next", index + 1)):
        links = page.locator(selector)
        if 0 <= neighbour < len(PAGES):
            assert links.count() == 1, f"{page_name} has no {selector} link"
            target = urljoin(url, links.first.get_attribute("href"))
            assert target.split("#")[0] == f"{server}/{PAGES[neighbour]}.html"
            assert page.request.get(target).ok, f"{selector} of {page_name} is broken: {target}"
        else:
            assert links.count() == 0
    page.close()


def test_pages_link_in_reading_order(browser, server: str) -> None:
    """Following 'next' from the landing page visits every page of the table of contents."""
    page = browser.new_page()
    page.goto(f"{server}/{PAGES[0]}.html")
    visited = [PAGES[0]]
    while page.locator("a.right-next").count():
        page.locator("a.right-next").first.click()
        page.wait_for_load_state("load")
        visited.append(page.url.split(server + "/", 1)[1].removesuffix(".html"))
    assert visited == PAGES
    page.close()


def test_saved_widgets_render_without_a_kernel(browser, server: str) -> None:
    """The explorers saved in the notebooks come alive from the site's own widget manager."""
    page = browser.new_page()
    page.goto(f"{server}/chapters/01_why_convolutions.html", wait_until="networkidle")
    page.wait_for_selector(".widget-slider, .jupyter-widgets .widget-hslider", timeout=30_000)
    sliders = page.locator(".widget-hslider").count()
    assert sliders >= 2
    page.close()


def test_site_search_finds_receptive_field(browser, server: str) -> None:
    page = browser.new_page()
    page.goto(f"{server}/search.html?q=receptive+field", wait_until="networkidle")
    page.wait_for_selector("ul.search li", timeout=30_000)
    assert page.locator("ul.search li").count() >= 1
    page.close()
