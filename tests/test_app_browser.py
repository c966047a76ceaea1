"""The app in a real browser: headless Chromium driven by Playwright against `solara run`.

Catches what the in-process tests cannot: a page left blank by missing front-end files or by
widgets that do not draw. Needs Chromium (`tools/ensure-chromium`, run by `make test`) and
solara's front-end files (fetched into .cache/solara-assets by `make test`, or here). With
SKIP_BROWSER=1 the test is skipped; without Chromium it fails with what to install.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from matplotlib.colors import to_rgb

from sim.app.plots import PLOTS
from sim.app.server import server_environment, solara_command
from sim.app.states import SERIES_COLOURS
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / ".cache" / "solara-assets"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = (
    "Chromium is needed for the browser tests and is not installed: run tools/ensure-chromium "
    "(as root it installs Debian's chromium; otherwise: apt-get install chromium), point "
    "CHROMIUM= at one, or set SKIP_BROWSER=1 to skip the browser tests"
)
TIME = re.compile(r"Time: (\d+)")


@pytest.fixture(scope="module")
def chromium() -> str:
    """Chromium's path, once the front-end files are in the cache; skip only on SKIP_BROWSER=1."""
    if os.environ.get("SKIP_BROWSER") == "1":
        pytest.skip("SKIP_BROWSER=1: browser tests skipped")
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(NO_CHROMIUM, pytrace=False)
    fetch = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "fetch_solara_assets.py"), str(ASSETS)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if fetch.returncode != 0:
        pytest.fail(f"cannot fetch solara's front-end files: {fetch.stderr.strip()}", pytrace=False)
    return path


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(chromium, tmp_path_factory):
    """The URL of a `solara run` of the app on the default community."""
    yield from serve("default", tmp_path_factory)


@pytest.fixture(scope="module")
def place_app_url(chromium, tmp_path_factory):
    """The URL of a `solara run` of the app on the sample community read from its file."""
    yield from serve("sample_place", tmp_path_factory)


def serve(scenario: str, tmp_path_factory):
    """The URL of a `solara run` of the app on a free loopback port, stopped afterwards."""
    port = free_port()
    env = server_environment(scenario) | {"SOLARA_ASSETS_PROXY_CACHE_DIR": str(ASSETS)}
    log_path = tmp_path_factory.mktemp("app-server") / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            solara_command("127.0.0.1", port, open_browser=False),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"the server stopped:\n{log_path.read_text()[-3000:]}", pytrace=False)
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no answer from {url}:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        stop(server)


def stop(server: subprocess.Popen) -> None:
    """SIGTERM the server's process group, then SIGKILL if it lingers."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def counter(page) -> int:
    """The step counter of SolaraViz's sidebar."""
    return int(TIME.search(page.get_by_text("Time:").first.inner_text()).group(1))


def wait_for_counter(page, value: int) -> None:
    """Wait until the step counter shows `value`."""
    page.wait_for_function(
        "v => [...document.querySelectorAll('span')].some(s => s.innerText.startsWith("
        "'Time: ' + v + '.'))",
        arg=value,
        timeout=30_000,
    )


#: Per plot: whether its canvas holds drawn (non-white) pixels, and whether it holds pixels of
#: its first series' colour (its line is drawn).
PLOT_PIXELS = """
colours => [...document.querySelectorAll('.cogov-plot')].map((plot, i) => {
  const canvas = plot.querySelector('.vega-embed canvas');
  if (!canvas || !canvas.width) return [false, false];
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const [r, g, b] = colours[i];
  let drawn = false, line = false;
  for (let k = 0; k < d.length; k += 4) {
    if (d[k] < 250 || d[k + 1] < 250 || d[k + 2] < 250) drawn = true;
    if (Math.abs(d[k] - r) + Math.abs(d[k + 1] - g) + Math.abs(d[k + 2] - b) < 40) {
      line = true;
      break;
    }
  }
  return [drawn, line];
})
"""


def first_series_colours() -> list[tuple[int, int, int]]:
    """RGB of the first line of each plot."""
    colours = []
    for plot in PLOTS:
        first = next(iter(plot.columns))
        colours.append(tuple(round(255 * c) for c in to_rgb(SERIES_COLOURS[first])))
    return colours


def wait_until_drawn(page) -> None:
    """Wait for the building view's picture, every plot drawn, and the participation line."""
    page.wait_for_function(
        "() => { const img = document.querySelector('.cogov-view img');"
        " return img && img.complete && img.naturalWidth > 0; }",
        timeout=60_000,
    )
    page.wait_for_function(
        f"colours => {{ const p = ({PLOT_PIXELS})(colours);"
        " return p.length === colours.length && p.every(([drawn]) => drawn) && p[0][1]; }",
        arg=first_series_colours(),
        timeout=60_000,
    )


def participation_plot(page) -> str:
    """The participation plot's pixels, as a data URL."""
    return page.evaluate("() => document.querySelector('.cogov-plot canvas').toDataURL()")


def building_picture(page) -> str:
    """The source of the building view's picture (a new blob URL with each new picture)."""
    return page.locator(".cogov-view img").first.get_attribute("src")


def test_app_steps_redraws_resets_and_exports_in_a_real_browser(app_url, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    page_errors: list[str] = []
    missing_assets: list[str] = []

    def on_response(response) -> None:
        if "/_solara/cdn/" in response.url and response.status >= 400:
            missing_assets.append(f"{response.status} {response.url}")

    def on_request_failed(request) -> None:
        if "/_solara/cdn/" in request.url:
            missing_assets.append(f"failed {request.url}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1900})
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on("response", on_response)
            page.on("requestfailed", on_request_failed)
            page.goto(app_url)
            page.get_by_text("Time:").first.wait_for(timeout=60_000)
            wait_until_drawn(page)
            week = counter(page)  # a session starts at 0, but do not depend on it

            picture = building_picture(page)
            page.get_by_role("button", name="Participates").click()  # changes every week
            page.wait_for_function(
                "old => document.querySelector('.cogov-view img').src !== old", arg=picture
            )
            plot, picture = participation_plot(page), building_picture(page)
            page.get_by_role("button", name="Step").click()
            wait_for_counter(page, week + 1)
            page.wait_for_function(
                "old => document.querySelector('.cogov-plot canvas').toDataURL() !== old",
                arg=plot,
                timeout=30_000,
            )
            page.wait_for_function(
                "old => document.querySelector('.cogov-view img').src !== old", arg=picture
            )
            number = page.locator(".cogov-number").first.locator(".value").inner_text()
            assert number == str(week + 1)

            page.get_by_text("Party mobilisation", exact=True).click()
            page.get_by_text("Press Reset to run default, 1 change.").wait_for(timeout=30_000)
            page.get_by_role("button", name="Reset").click()
            wait_for_counter(page, 0)
            mechanisms = page.locator(".cogov-header .mechanisms")
            page.wait_for_function(
                "() => !document.querySelector('.cogov-header .mechanisms')"
                ".innerText.includes('party mobilisation')",
                timeout=30_000,
            )
            assert "self management" in mechanisms.inner_text()
            wait_until_drawn(page)

            with page.expect_download(timeout=30_000) as download:
                page.get_by_role("button", name="Save settings as scenario YAML").click()
            saved = tmp_path / "saved.yaml"
            download.value.save_as(saved)
            scenario = load_scenario(str(saved))
            assert not scenario.mechanisms.party_mobilisation.enabled
            assert scenario.mechanisms.self_management.enabled

            page.get_by_role("button", name="▶").click()  # play a few months for the picture
            page.wait_for_function(
                "() => +document.querySelector('.cogov-number .value').innerText >= 26",
                timeout=60_000,
            )
            page.get_by_role("button", name="❚❚").click()
            wait_until_drawn(page)
            page.wait_for_timeout(500)
            shot = tmp_path / "app.png"
            page.screenshot(path=str(shot))
            print(f"screenshot: {shot}")
        finally:
            browser.close()

    assert not page_errors, page_errors
    assert not missing_assets, missing_assets
    assert shot.stat().st_size > 50_000


def test_a_community_from_its_file_is_drawn_on_its_map_in_a_real_browser(place_app_url, chromium):
    from playwright.sync_api import sync_playwright

    page_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1900})
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.goto(place_app_url)
            page.get_by_text("Time:").first.wait_for(timeout=60_000)
            wait_until_drawn(page)
            page.get_by_role("button", name="Map", exact=True).click()
            page.wait_for_function(
                "() => { const img = document.querySelector('.cogov-view.map img');"
                " return img && img.complete && img.naturalWidth > 0; }",
                timeout=60_000,
            )
            before = page.locator(".cogov-view.map img").first.get_attribute("src")
            page.get_by_role("button", name="Participates").click()
            page.wait_for_function(
                "old => document.querySelector('.cogov-view.map img').src !== old", arg=before
            )
            # the picture holds colour: buildings drawn, not a blank canvas
            coloured = page.evaluate(
                """() => { const img = document.querySelector('.cogov-view.map img');
                const c = document.createElement('canvas');
                c.width = img.naturalWidth; c.height = img.naturalHeight;
                const g = c.getContext('2d'); g.drawImage(img, 0, 0);
                const d = g.getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let k = 0; k < d.length; k += 4) {
                  const spread = Math.max(d[k], d[k + 1], d[k + 2]) - Math.min(d[k], d[k + 1], d[k + 2]);
                  if (spread > 40) n++;
                }
                return n / (d.length / 4); }"""
            )
            assert coloured > 0.01, coloured
            assert page.get_by_text("Buildings", exact=True).count() >= 1  # elevation still there
        finally:
            browser.close()
    assert not page_errors, page_errors
