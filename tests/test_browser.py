"""Notebooks and dashboards in a real browser: JupyterLab and Voila in headless Chromium (issue 17).

Each notebook is opened in one JupyterLab page per pytest worker (the earlier ones stay open in their tabs, as a
user leaves them; with ``make test``'s two workers each starts its own JupyterLab and Chromium),
run cell by cell, and checked the way a user would see it: every plotly figure drawn with a non-empty plot area,
every widget view drawn, no error or stderr output, no console error, no WebGL warning, and each widget answers a
moved control by redrawing its figure. Screenshots go to ``build/browser/``.

Marked ``browser`` (``pytest -m "not browser"`` skips them). Where Debian's ``chromium`` and ``chromium-driver``
are missing they are skipped, unless ``MMLAB_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which makes them fail.
JupyterLab runs the quick profile of every study notebook (with a data cache of its own) and Voila the tour and
the stream dashboard, each Voila page in a browser of its own (the JupyterLab page is never left).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mmlab.lab.runner import NOTEBOOK_DIR, STUDY_NOTEBOOKS

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "browser"

#: Seconds a notebook may take in the browser before the test gives up.
RUN_TIMEOUT_S = 900

#: Console messages of JupyterLab itself, not of the notebooks (the server runs offline, with no news feed).
BENIGN_CONSOLE = ("/lab/api/news", "/api/translations", "favicon")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with status {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"nothing answered at {url} after {timeout:.0f} s")


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    """Until a server listens on 127.0.0.1:port (a request to Voila would start a kernel and run the notebook)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with status {process.returncode} before listening on {port}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"nothing listened on port {port} after {timeout:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _start_chromium():
    """Headless Chromium driven by Debian's chromedriver (Selenium never downloads a driver)."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("MMLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MMLAB_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing "
                        "(apt-get install chromium chromium-driver)")
        pytest.skip("no chromium/chromium-driver: apt-get install chromium chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # Commands do not wait for a page to load: Voila answers only once it has executed the notebook (minutes for
    # the stream), and each test polls for what it needs.
    options.page_load_strategy = "none"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_script_timeout(120)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _RESIZE_WATCH})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return driver


@pytest.fixture(scope="module")
def chromium():
    """The browser of the JupyterLab tests: one page per pytest worker, never navigated away from JupyterLab.

    Leaving it would show JupyterLab's "leave the page?" dialog over the run notebooks (left modified) and, on the
    way back, restore their tabs with autosaved widget outputs whose models the page no longer has ("widget model
    not found"); the Voila tests therefore get browsers of their own (:func:`voila_chromium`).
    """
    driver = _start_chromium()
    yield driver
    driver.quit()


@pytest.fixture
def voila_chromium():
    """A fresh browser for one Voila page."""
    driver = _start_chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 (free port, no token) over a copy of the notebooks, with settings of its own."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(NOTEBOOK_DIR, root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = root / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Every cell stays in the page (no windowing), so the checks see all outputs without scrolling.
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    notifications = root / "settings" / "@jupyterlab" / "apputils-extension"
    notifications.mkdir(parents=True)
    (notifications / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false",
                                                                               "checkForUpdates": False}))
    environment = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(root / "settings"),
                       JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"), JUPYTER_RUNTIME_DIR=str(root / "runtime"),
                       MMLAB_DATA_DIR=str(root / "cache"))
    port = _free_port()
    log = (root / "jupyterlab.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--allow-root",
         "--ServerApp.token=", "--ServerApp.password=", "--LabApp.expose_app_in_browser=True",
         "--LabApp.news_url=", f"--ServerApp.root_dir={root / 'notebooks'}"],
        env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_http(f"{url}/api/status", process, timeout=120)
        yield url
    finally:
        _stop(process)
        log.close()


# JavaScript run in the page. `app` is JupyterLab's application (exposed by --LabApp.expose_app_in_browser).
_OPEN = """
const [path, done] = arguments;
const app = window.jupyterapp;
app.commands.execute('docmanager:open', {path, factory: 'Notebook'}).then(async panel => {
  await panel.context.ready;
  await panel.sessionContext.ready;
  done({id: panel.id});
}).catch(error => done({error: String(error)}));
"""

_PANEL = """
const panel = Array.from(window.jupyterapp.shell.widgets('main')).find(w => w.id === arguments[0]);
"""

_STATE = _PANEL + """
const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
const state = {status: kernel ? kernel.status : 'none', dirty: panel.context.model.dirty, pending: 0, errors: [],
               stderr: [], plots: 0, widgets: 0};
for (const cell of panel.content.widgets) {
  if (cell.model.type !== 'code') continue;
  if (cell.model.executionCount === null) state.pending++;
  const outputs = cell.model.outputs;
  for (let i = 0; i < outputs.length; i++) {
    const output = outputs.get(i).toJSON();
    if (output.output_type === 'error') state.errors.push(output.ename + ': ' + output.evalue);
    if (output.output_type === 'stream' && output.name === 'stderr') state.stderr.push(output.text);
    const data = output.data || {};
    if ('application/vnd.plotly.v1+json' in data) state.plots++;
    if ('application/vnd.jupyter.widget-view+json' in data) state.widgets++;
  }
}
return state;
"""

# Every plotly graph div in `root`: its size, place, traces and what it drew. The fingerprint sums the trace data, so
# a redraw with new data (or new shapes, titles, annotations) changes it.
_PLOTS = """
function fingerprint(gd) {
  let total = 0, count = 0;
  const add = value => {
    if (value === null || value === undefined) return;
    if (typeof value === 'number') { if (Number.isFinite(value)) { total += value * (1 + count % 7); count++; } }
    else if (typeof value === 'string') { count += value.length; }
    else if (value.length !== undefined) { for (const item of value) add(item); }
  };
  // _fullData: plotly.js's decoded arrays (a static figure's gd.data keeps plotly.py's base64 typed arrays)
  for (const trace of gd._fullData || []) for (const key of ['x', 'y', 'z', 'text', 'r', 'theta', 'values']) add(trace[key]);
  const layout = gd.layout || {};
  return JSON.stringify([count, total, layout.shapes || [], layout.annotations || [], layout.title || '']);
}
function plots(root) {
  return Array.from(root.querySelectorAll('.js-plotly-plot')).map(gd => {
    const svg = gd.querySelector('.main-svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    const drawn = gd.querySelectorAll('.scatterlayer .trace, .barlayer .trace, .heatmaplayer image, '
                                      + '.imagelayer image, .pielayer .trace, .gl-canvas, .contourlayer .trace').length;
    return {width: box.width, height: box.height, left: box.left, right: box.right,
            traces: (gd._fullData || []).length, drawn, print: fingerprint(gd)};
  });
}
"""

_RENDERED = _PANEL + _PLOTS + """
const result = {static: [], widgets: []};
for (const cell of panel.content.widgets) {
  if (cell.model.type !== 'code') continue;
  const outputs = cell.model.outputs;
  for (let i = 0; i < outputs.length; i++) {
    const data = outputs.get(i).toJSON().data || {};
    const node = cell.outputArea.widgets[i].node;
    if ('application/vnd.plotly.v1+json' in data) result.static.push(plots(node));
    if ('application/vnd.jupyter.widget-view+json' in data) {
      const area = node.querySelector('.jp-OutputArea-output') || node;
      result.widgets.push({plots: plots(node), text: node.innerText.slice(0, 2000), width: area.getBoundingClientRect().width,
                           views: node.querySelectorAll('.jupyter-widgets, .widget-box, .lm-Widget').length});
    }
  }
}
result.page = document.body.innerText.includes('Error displaying widget')
  || document.body.innerText.includes('Javascript Error');
return result;
"""


#: In Voila, jupyterlab-plotly's renderer draws each static figure, then tries to store a PNG copy of it in the
#: output (``model.setData``), which Voila's read-only output models lack: the figure is drawn, the copy is not.
VOILA_PLOTLY_SNAPSHOT = ("jupyterlab-plotly", "setData is not a function")

#: Voila's page template links Font Awesome from a CDN, unreachable offline; mmlab's widgets use no icons.
VOILA_CDN_ICONS = ("cdn.jsdelivr.net/npm/@fortawesome", "ERR_NAME_NOT_RESOLVED")

#: jupyterlab-plotly's renderer answers a layout change by redrawing its figure and then resizing it
#: (``Plotly.redraw(node).then(() => Plots.resize(node))``), without checking that the figure is still in the page
#: when the redraw ends. A live figure replaced by a redraw meanwhile (measured in notebook 04's window explorer,
#: about 50 ms between the two) logs this as an unhandled rejection; the new figure is drawn and nothing shows.
REPLACED_FIGURE_RESIZE = "Resize must be passed a displayed plot div element"

#: Counts plotly's resizes of figures not displayed: `replaced`, no longer in the page (the race above), and
#: `hidden`, in the page but not displayed (a layout defect). Evaluated in every page before its own scripts
#: (:func:`_start_chromium`), it wraps ``Plotly.Plots.resize`` the moment plotly.js sets ``window.Plotly``, so a
#: race during the first notebook's run-all is counted too (CI failed 04 when the watch came after its run).
_RESIZE_WATCH = """(() => {
window.mmlabResizes = {replaced: 0, hidden: 0};
let plotly;
const watch = (value) => {
  if (value && value.Plots && !value.Plots.mmlabWatched) {
    const resize = value.Plots.resize;
    value.Plots.resize = function (gd) {
      if (gd && !gd.offsetParent) window.mmlabResizes[gd.isConnected ? 'hidden' : 'replaced'] += 1;
      return resize.apply(this, arguments);
    };
    value.Plots.mmlabWatched = true;
  }
  return value;
};
Object.defineProperty(window, 'Plotly', {configurable: true, enumerable: true,
                                         get: () => plotly, set: (value) => { plotly = watch(value); }});
})();
"""


def _resize_problems(driver, problems: list[str]) -> list[str]:
    """`problems` less one REPLACED_FIGURE_RESIZE for each resize of a replaced figure that the watch counted since
    the last call, and with a line for resizes of figures hidden in the page."""
    counts = driver.execute_script("const counts = window.mmlabResizes || {replaced: 0, hidden: 0};"
                                   "if (window.mmlabResizes) window.mmlabResizes = {replaced: 0, hidden: 0};"
                                   "return counts;")
    left, excused = [], counts["replaced"]
    for problem in problems:
        if REPLACED_FIGURE_RESIZE in problem and excused > 0:
            excused -= 1
        else:
            left.append(problem)
    if counts["hidden"]:
        left.append(f"plotly resized {counts['hidden']} figure(s) in the page but not displayed")
    return left


def _console_problems(driver, allowed: tuple[tuple[str, ...], ...] = ()) -> list[str]:
    """Console errors and WebGL warnings logged since the last call (JupyterLab's own offline noise left out;
    each of `allowed` names a known upstream error by strings its message contains, all of them)."""
    problems = []
    for entry in driver.get_log("browser"):
        message = entry["message"]
        known = any(all(part in message for part in error) for error in allowed)
        if known or any(benign in message for benign in BENIGN_CONSOLE):
            continue
        if entry["level"] == "SEVERE" or "WebGL" in message:
            problems.append(f"{entry['level']}: {message}")
    return problems


def _differences(before, after, where: str = "") -> list[str]:
    """Where two JSON documents differ, as paths with both values."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [difference for key in sorted(set(before) | set(after))
                for difference in _differences(before.get(key), after.get(key), f"{where}/{key}")]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [difference for index, (a, b) in enumerate(zip(before, after))
                for difference in _differences(a, b, f"{where}/{index}")]
    return [] if before == after else [f"{where}: {before!r} -> {after!r}"[:300]]


def _check_plot(plot: dict, where: str) -> None:
    assert plot["traces"] > 0 and plot["drawn"] > 0, f"{where}: a plotly figure with an empty plot area: {plot}"
    assert plot["width"] > 200 and plot["height"] > 150, f"{where}: a plotly figure drawn too small: {plot}"


def _controls(view):
    """The first control of a widget view a user would move, as (element, kind), or None."""
    from selenium.webdriver.common.by import By

    for selector, kind in ((".widget-slider .noUi-handle", "slider"), (".widget-dropdown select", "dropdown"),
                           (".widget-toggle-button:not(.mod-active)", "toggle"), (".widget-checkbox input", "checkbox"),
                           ("button.jupyter-button:not(.widget-toggle-button)", "button")):
        for element in view.find_elements(By.CSS_SELECTOR, selector):
            if element.is_displayed() and element.is_enabled():
                return element, kind
    return None


def _move(driver, element, kind: str) -> str:
    """Move one control as a user would; returns what was done."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.select import Select

    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    if kind == "slider":
        at_end = element.get_attribute("aria-valuenow") == element.get_attribute("aria-valuemax")
        element.click()
        element.send_keys(Keys.ARROW_LEFT if at_end else Keys.ARROW_RIGHT)
        return f"slider {'left' if at_end else 'right'} from {element.get_attribute('aria-valuenow')}"
    if kind == "dropdown":
        select = Select(element)
        options = select.options
        current = next(i for i, option in enumerate(options) if option.is_selected())
        select.select_by_index((current + 1) % len(options))
        return f"dropdown to {options[(current + 1) % len(options)].text!r}"
    element.click()
    return f"{kind} {element.text!r} clicked"


def _wait(driver, script: str, argument, condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script, argument)
        if condition(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} after {timeout:.0f} s: {value}")
        time.sleep(1.0)


def _check_widgets(driver, root, fingerprints, name: str) -> list[str]:
    """Move one control per widget view under `root` and wait for one of its figures to change.

    Views without a control (progress bars, the stream board that the pipeline redraws) are left alone.
    """
    from selenium.webdriver.common.by import By

    moved = []
    # Cell outputs, not the output areas inside ipywidgets' Output (each live figure's, replaced on a redraw).
    views = [view for view in root.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")
             if not driver.execute_script("return !!arguments[0].parentElement.closest('.widget-output');", view)]
    for view in views:
        if not view.find_elements(By.CSS_SELECTOR, ".js-plotly-plot"):
            continue
        control = _controls(view)
        if control is None:
            continue
        before = fingerprints(view)
        action = _move(driver, *control)
        deadline = time.monotonic() + 120
        while fingerprints(view) == before:
            assert time.monotonic() < deadline, f"{name}: {action}, but no figure of the widget changed in 120 s"
            time.sleep(0.5)
        moved.append(action)
    return moved


@pytest.mark.parametrize("name", [name.removesuffix(".ipynb") for name in STUDY_NOTEBOOKS])
def test_notebook_in_jupyterlab(chromium, jupyterlab, name):
    """Open, run all cells, check every figure and widget, move a control of each widget."""
    from selenium.webdriver.common.by import By

    driver = chromium
    if not driver.current_url.startswith(jupyterlab):  # the worker's first notebook
        driver.get(f"{jupyterlab}/lab")
        _wait(driver, "return !!(window.jupyterapp && window.jupyterapp.shell);", None, bool, 120,
              "JupyterLab did not start in the page")
        time.sleep(2)  # the start-up's own requests settle
        _console_problems(driver)
    opened = driver.execute_async_script(_OPEN, f"{name}.ipynb")
    assert "error" not in opened, f"{name}: JupyterLab could not open it: {opened}"
    panel = opened["id"]
    state = _wait(driver, _STATE, panel, lambda s: s["status"] == "idle", 120, f"{name}: the kernel never went idle")
    time.sleep(1)
    if driver.execute_script(_STATE, panel)["dirty"]:
        model = driver.execute_script(_PANEL + "return panel.context.model.toJSON();", panel)
        on_disk = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())
        for before, after in zip(on_disk["cells"], model["cells"]):  # the model's own spelling of the same cells
            before["source"] = "".join(before["source"])
            after["metadata"].pop("trusted", None)
        changed = _differences(on_disk, model)
        pytest.fail(f"{name}: opening the notebook marked it modified: {changed}")

    driver.execute_script("window.jupyterapp.shell.activateById(arguments[0]);", panel)
    time.sleep(1)
    driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells');")
    state = _wait(driver, _STATE, panel,
                  lambda s: s["errors"] or (s["pending"] == 0 and s["status"] == "idle"),
                  RUN_TIMEOUT_S, f"{name}: the cells did not finish")
    assert not state["errors"], f"{name}: a cell raised {state['errors']}"
    assert not state["stderr"], f"{name}: stderr output {state['stderr']}"
    time.sleep(3)  # the last figures draw

    rendered = driver.execute_script(_RENDERED, panel)
    assert not rendered["page"], f"{name}: 'Error displaying widget' or 'Javascript Error' in the page"
    assert len(rendered["static"]) == state["plots"], f"{name}: {state['plots']} figure outputs, {rendered}"
    for index, plots in enumerate(rendered["static"]):
        assert len(plots) == 1, f"{name}: figure output {index} drew {len(plots)} plotly plots"
        _check_plot(plots[0], f"{name} figure {index}")
    assert len(rendered["widgets"]) == state["widgets"], f"{name}: widget outputs {state['widgets']} drawn as {rendered}"
    for index, widget in enumerate(rendered["widgets"]):
        assert widget["views"] > 0, f"{name}: widget output {index} has no widget view: {widget['text']!r}"
        for plot in widget["plots"]:
            _check_plot(plot, f"{name} widget {index}")
        if widget["plots"]:  # the figures fill the width, as static ones do (side by side ones together)
            span = max(p["right"] for p in widget["plots"]) - min(p["left"] for p in widget["plots"])
            assert span >= 0.9 * widget["width"], f"{name} widget {index}: figures {span:.0f} px wide in {widget}"

    notebook = driver.find_element(By.ID, panel)
    _check_widgets(driver, notebook, lambda view: driver.execute_script(
        _PLOTS + "return plots(arguments[0]).map(p => p.print);", view), name)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    problems = _resize_problems(driver, _console_problems(driver))
    assert not problems, f"{name}: browser console: {problems}"


VOILA_VIEWS = {"00_tour": [sys.executable, "-m", "voila", str(NOTEBOOK_DIR / "00_tour.ipynb")],
               "dashboard": [str(Path(sys.executable).with_name("mmlab")), "dashboard"]}


@pytest.mark.parametrize(("name", "command"), list(VOILA_VIEWS.items()))
def test_voila_view(voila_chromium, tmp_path, name, command):
    """The tour and the stream dashboard served by Voila: figures and widgets drawn, a control answers."""
    from selenium.webdriver.common.by import By

    port = _free_port()
    arguments = ["--port", str(port)] if name == "dashboard" else [f"--port={port}", "--no-browser",
                                                                   "--Voila.ip=127.0.0.1"]
    log = (tmp_path / "voila.log").open("w")
    process = subprocess.Popen(command + arguments, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
                               env=dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime")))
    url = f"http://127.0.0.1:{port}/"
    driver = voila_chromium
    try:
        _wait_for_port(port, process, timeout=120)
        _console_problems(driver)  # what the browser logged on starting up is not the page's
        driver.get(url)
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while not driver.find_elements(By.CSS_SELECTOR, ".jupyter-widgets .js-plotly-plot"):
            assert process.poll() is None, f"voila exited with {process.returncode}: {(tmp_path / 'voila.log').read_text()}"
            assert time.monotonic() < deadline, (f"{name}: no widget figure in Voila after {RUN_TIMEOUT_S} s; "
                                                 f"its log ends {(tmp_path / 'voila.log').read_text()[-3000:]}")
            time.sleep(2)
        time.sleep(3)
        text = driver.find_element(By.TAG_NAME, "body").text
        for problem in ("Error displaying widget", "Javascript Error", "Traceback"):
            assert problem not in text, f"{name}: {problem!r} in the Voila page"
        plots = driver.execute_script(_PLOTS + "return plots(document.body);")
        for index, plot in enumerate(plots):
            _check_plot(plot, f"voila {name} figure {index}")
        if name == "00_tour":
            moved = _check_widgets(driver, driver.find_element(By.TAG_NAME, "body"), lambda view: driver.execute_script(
                _PLOTS + "return plots(arguments[0]).map(p => p.print);", view), name)
            assert moved, f"{name}: no control of the explorer could be moved"
        driver.execute_script("document.querySelector('.jupyter-widgets .js-plotly-plot').scrollIntoView();")
        driver.save_screenshot(str(SCREENSHOTS / f"voila_{name}.png"))  # the first widget's figures
        problems = _resize_problems(driver, _console_problems(driver, allowed=(VOILA_PLOTLY_SNAPSHOT, VOILA_CDN_ICONS)))
        assert not problems, f"voila {name}: browser console: {problems}"
    finally:
        driver.get("about:blank")  # the page shuts its kernel down while Voila still answers
        time.sleep(1)
        _stop(process)
        log.close()
