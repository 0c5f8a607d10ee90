"""The console in a real browser (Debian's headless Chromium, driven by Selenium through
/usr/bin/chromedriver, so nothing is downloaded): after local runs, follow a failed execution to
the state that failed, approve a pending model package and see its deployment start. Each page
seen is saved under build/console-screenshots/ for a person to look at.

Skips, saying why, when Chromium or its driver is absent (`scripts/setup-system.sh` installs
them as root)."""

from __future__ import annotations

import datetime
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from console.server import serve_in_thread
from console.sources import Sources
from deploy.dashboard_body import body_text, dashboard_body
from environments.settings import Settings, load_settings
from localcloud import LocalCloud
from tests.scenarios.cases import CASES, MOCK_CONFIG, run_case
from tests.scenarios.stack import Stack, deploy_stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SHOTS = Path(__file__).resolve().parent.parent / "build" / "console-screenshots"
WAIT_SECONDS = 30
# Without the networking flags Chromium reaches for Google's services on a closed network.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1100",
)

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(
        f"{CHROMIUM} or {CHROMEDRIVER} is absent: run scripts/setup-system.sh as root "
        "(apt-get install chromium chromium-driver) for the console's browser tests",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402  (only once Chromium is known to be there)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@dataclass
class Console:
    cloud: LocalCloud
    stack: Stack
    settings: Settings
    url: str
    failed_arn: str


@pytest.fixture(scope="module")
def console() -> Iterator[Console]:
    """One embedded cloud for the module: the stack, a retrain whose training fails and one that
    registers a package for manual approval, and the console serving it on a free port."""
    with LocalCloud(mock_config_file=MOCK_CONFIG) as cloud:
        settings = load_settings("dev")
        stack = deploy_stack(cloud.client, settings)
        retrain = stack.state_machines["retrain"]
        failed = run_case(cloud, settings, retrain, CASES["training_fails"])
        run_case(cloud, settings, retrain, CASES["manual_approval"])
        cloud.wait_until_idle()
        server, url = serve_in_thread(Sources(cloud.client, "the embedded cloud", cloud))
        try:
            yield Console(cloud, stack, settings, url, str(failed["executionArn"]))
        finally:
            server.shutdown()
            cloud.wait_until_idle(timeout=60)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory(prefix="console-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
        driver.set_page_load_timeout(WAIT_SECONDS)
        try:
            yield driver
        finally:
            driver.quit()
    SHOTS.mkdir(parents=True, exist_ok=True)


def _shot(browser: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def _wait(browser: Any) -> WebDriverWait[Any]:
    return WebDriverWait(browser, WAIT_SECONDS)


def _rows(browser: Any) -> dict[str, list[str]]:
    """The execution page's states table: state -> the texts of its cells."""
    found: dict[str, list[str]] = {}
    for row in browser.find_elements(By.XPATH, "//tr[td/span[@class='state-name']]"):
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        found[cells[1]] = cells
    return found


def test_following_a_failed_execution_leads_to_the_state_that_failed(
    console: Console, browser: Any
) -> None:
    browser.get(console.url + "/")
    _shot(browser, "01-state-machines")
    browser.find_element(By.LINK_TEXT, "Executions").click()
    # Choosing a status submits the filter (the page's JavaScript).
    Select(browser.find_element(By.NAME, "status")).select_by_value("FAILED")
    _wait(browser).until(expected_conditions.url_contains("status=FAILED"))
    _shot(browser, "02-executions-failed")
    listed = [
        a.text for a in browser.find_elements(By.CSS_SELECTOR, "table a[href^='/execution?']")
    ]
    assert listed == ["training-fails"]

    browser.find_element(By.LINK_TEXT, "training-fails").click()
    _wait(browser).until(expected_conditions.title_contains("training-fails"))
    _shot(browser, "03-execution-failed")
    graph = {
        g.get_attribute("data-state"): g.get_attribute("data-status")
        for g in browser.find_elements(By.CSS_SELECTOR, "svg.graph g.state")
    }
    assert graph["Train"] == "failed"
    assert graph["Evaluate"] == "not-entered"
    assert graph["NotifyFailure"] == "succeeded"
    rows = _rows(browser)
    assert list(rows) == list(CASES["training_fails"].states)
    train = rows["Train"]
    assert train[2] == "failed"
    assert "States.TaskFailed" in train[6]
    assert "AlgorithmError: training data has no rows" in train[6]


def test_approving_a_pending_package_starts_its_deployment(console: Console, browser: Any) -> None:
    deploy_machine = console.stack.state_machines["deploy-model"]
    browser.get(console.url + "/models")
    _shot(browser, "04-model-registry-pending")
    assert [b.text for b in browser.find_elements(By.CSS_SELECTOR, "button.approve")] == ["Approve"]
    browser.find_element(By.CSS_SELECTOR, "button.approve").click()
    notice = _wait(browser).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "p.notice"))
    )
    assert "approved: the approval rule starts its deployment" in notice.text
    assert browser.find_elements(By.CSS_SELECTOR, "button.approve") == []
    _shot(browser, "05-model-registry-approved")

    console.cloud.wait_until_idle()
    browser.get(console.url + "/executions")
    Select(browser.find_element(By.NAME, "machine")).select_by_value(deploy_machine)
    _wait(browser).until(expected_conditions.url_contains("machine="))
    _shot(browser, "06-executions-deploy")
    runs = browser.find_elements(By.CSS_SELECTOR, "table a[href^='/execution?']")
    assert len(runs) == 1
    runs[0].click()
    _wait(browser).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "svg")))
    _shot(browser, "07-execution-deploy")
    assert "SUCCEEDED" in browser.find_element(By.TAG_NAME, "table").text

    _invocation_metrics(console)
    browser.get(console.url + "/endpoints")
    _shot(browser, "08-endpoints")
    browser.find_element(By.LINK_TEXT, console.settings.endpoint.name).click()
    _wait(browser).until(expected_conditions.title_contains(console.settings.endpoint.name))
    _shot(browser, "09-endpoint")
    assert "InService" in browser.find_element(By.TAG_NAME, "main").text
    [chart] = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert chart.get_attribute("data-points") == "4"


def _invocation_metrics(console: Console) -> None:
    """Invocations of the endpoint over the last minutes, as SageMaker publishes them."""
    now = datetime.datetime.now(datetime.UTC)
    console.cloud.client("cloudwatch").put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [
                    {"Name": "EndpointName", "Value": console.settings.endpoint.name},
                    {"Name": "VariantName", "Value": "AllTraffic"},
                ],
                "Timestamp": now - datetime.timedelta(minutes=minute),
                "Value": float(count),
            }
            for minute, count in ((4, 3), (3, 8), (2, 5), (1, 12))
        ],
    )


def test_the_other_pages_render_in_the_browser(console: Console, browser: Any) -> None:
    retrain = console.stack.state_machines["retrain"]
    browser.get(f"{console.url}/machine?arn={retrain}")
    _shot(browser, "10-state-machine-retrain")
    states = browser.find_elements(By.CSS_SELECTOR, "svg.graph g.state")
    assert {s.get_attribute("data-state") for s in states} >= {"Train", "QualityGate"}
    assert "live" in browser.find_element(By.TAG_NAME, "main").text
    browser.get(console.url + "/alarms")
    _shot(browser, "11-alarms")
    browser.get(console.url + "/events")
    _shot(browser, "12-events-and-messages")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert re.search(r"\[churn-dev\] retrain failed at Train: training-fails", text)
    assert (SHOTS / "12-events-and-messages.png").read_bytes().startswith(b"\x89PNG")


def test_the_environment_dashboard_draws_its_widgets(console: Console, browser: Any) -> None:
    """The dashboard the deploy makes (the scenarios' stack has none: put here from the same
    body), with invocations and one of its alarms."""
    settings = console.settings
    cloudwatch = console.cloud.client("cloudwatch")
    alarms = [settings.monitoring_alarm_name(key) for key in settings.monitoring.alarms]
    body = body_text(dashboard_body(settings, alarms))
    cloudwatch.put_dashboard(DashboardName=settings.dashboard_name, DashboardBody=body)
    cloudwatch.put_metric_alarm(
        AlarmName=alarms[0], Namespace="AWS/SageMaker", MetricName="Invocations",
        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1000,
        ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip
    _invocation_metrics(console)
    browser.get(console.url + "/")
    browser.find_element(By.LINK_TEXT, "Dashboards").click()
    browser.find_element(By.LINK_TEXT, settings.dashboard_name).click()
    _wait(browser).until(expected_conditions.title_contains(settings.dashboard_name))
    _shot(browser, "13-dashboard")
    metric_widgets = browser.find_elements(By.CSS_SELECTOR, "div.widget[data-type='metric']")
    assert len(metric_widgets) == len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) >= 6
    [invocations] = browser.find_elements(By.CSS_SELECTOR, "g.series[data-label='Invocations Sum']")
    # Four minutes of invocations, more when the endpoint test put its own minutes before.
    assert int(invocations.get_attribute("data-points") or 0) >= 4
    text = browser.find_element(By.TAG_NAME, "main").text
    assert f"Owner: project {settings.project}" in text
    assert alarms[0] in text and "missing" in text  # the alarm put, and those that are not
