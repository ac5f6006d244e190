"""
The demo in headless Chromium (Debian's package, driven by Playwright): the learner's and the author's journeys, and
axe-core's WCAG 2.1 A/AA check of the student, author and Studio views.

Each run writes its figures to ``var/browser-report.json``.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("HONORCODE_CHROMIUM", "/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCENARIO = "/scenario/demo_course.0/"
PLEDGE = "[data-block-type=honorcode] .honorcode-block"
GATE = ".honorcode-placeholder"
BLOCK_ALONE = "/scenario/honorcode.0/"
REPORT = {}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _django(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "django", *args, "--settings=honorcode_demo.settings"],
        cwd=REPO, env=env, check=True, capture_output=True, text=True, timeout=300,
    ).stdout


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo as ``make demo`` runs it (migrate, seed, runserver), on its own database."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium).")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in the repository (make test does).")
    env = {**os.environ, "HONORCODE_VAR_DIR": str(tmp_path_factory.mktemp("demo-var")), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    database = None
    if os.environ.get("HONORCODE_DB") == "mysql":
        import MySQLdb  # pylint: disable=import-outside-toplevel

        database = f"honorcode_browser_{uuid.uuid4().hex[:8]}"
        env["HONORCODE_DB_NAME"] = database
        server = MySQLdb.connect(host=env.get("HONORCODE_DB_HOST", "127.0.0.1"),
                                 port=int(env.get("HONORCODE_DB_PORT", "3306")),
                                 user=env.get("HONORCODE_DB_USER", "root"),
                                 passwd=env.get("HONORCODE_DB_PASSWORD", ""))
        server.cursor().execute(f"CREATE DATABASE {database} CHARACTER SET utf8mb4")
    port = _free_port()
    _django(env, "migrate", "--run-syncdb", "-v", "0")
    seeded = _django(env, "seed_demo", "--port", str(port))
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--settings=honorcode_demo.settings"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/honorcode/", timeout=2)  # noqa: S310 - loopback only
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("The demo server did not start.")
            time.sleep(0.3)
    code = ("from workbench.scenarios import get_scenarios; from workbench.runtime import WorkbenchRuntime; "
            "r = WorkbenchRuntime(); root = r.get_block(get_scenarios()['demo_course.0'].usage_id); "
            "print([str(u) for s in root.children for n in r.get_block(s).children "
            "for u in r.get_block(n).children if '.demo_problem.' in str(u)][0])")
    problem_usage = _django(env, "shell", "-c", code).strip().splitlines()[-1]
    yield {"base": base, "env": env, "seeded": seeded, "problem_usage": problem_usage}
    process.terminate()
    process.wait(timeout=10)
    if database:
        server.cursor().execute(f"DROP DATABASE {database}")
        server.close()
    out = REPO / "var"
    out.mkdir(exist_ok=True)
    (out / "browser-report.json").write_text(json.dumps(REPORT, indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def accepted_rows(server, username):
    """How many acceptance rows the demo's database holds for ``username``."""
    code = ("from honorcode_xblock.models import Acceptance; "
            f"print(Acceptance.objects.filter(user__username={username!r}).count())")
    return int(_django(server["env"], "shell", "-c", code).strip().splitlines()[-1])


def run_axe(page, selector, name):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """([selector, tags]) => axe.run(document.querySelector(selector),
                                          {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [selector, WCAG_TAGS],
    )
    violations = [
        {"id": item["id"], "impact": item["impact"], "nodes": [node["html"][:200] for node in item["nodes"]]}
        for item in result["violations"]
    ]
    REPORT[f"axe:{name}"] = {
        "violations": len(violations),
        "rules_passed": len(result["passes"]),
        "rules_incomplete": len(result["incomplete"]),
        "details": violations,
    }
    assert violations == [], f"axe-core found WCAG 2.1 A/AA violations in the {name}: {violations}"


def tab_to(page, selector, limit=80):
    """Press Tab until ``selector`` has the focus: keyboard-only operation."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_demo_prints_its_urls_and_logins(demo_server):
    assert "?student=alice" in demo_server["seeded"]
    assert "login staff / staff-demo-password" in demo_server["seeded"]
    assert "3 suspected pair(s)" in demo_server["seeded"]  # detection ran over the demo course's planted log


def test_staff_find_the_planted_accounts_and_open_one_case_for_a_master_and_its_harvesters(demo_server, page):
    """The seeded log's pairs on the "Suspected multiple accounts" page, from the cases page; one case from them."""
    base = demo_server["base"]
    page.goto(base + "/demo/login/?next=" + SCENARIO + "?student=staff")
    page.fill("#username", "staff")
    page.fill("#password", "staff-demo-password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(base + "/honorcode/courses/course-v1:HonorCode+Demo+2026/cases/")
    page.click("text=Suspected multiple accounts")
    page.wait_for_url(re.compile(r".*/suspected-accounts/$"))
    assert page.locator("#pairs-title").inner_text() == "3 suspected pairs"
    groups = page.locator(".master-group h3").all_inner_texts()
    assert groups == ["Master account dana: 2 harvesters", "Master account felix: 1 harvester"]
    assert "1 of the course's 2 problems lets a learner reveal the answer" in page.locator("#revealing-count").inner_text()
    page.locator(".pair summary").first.click()  # the first pair's evidence timeline
    assert page.locator(".pair details").first.locator("tbody tr").count() == 12
    run_axe(page, "main", "suspected multiple accounts")
    page.locator(".pair form button").first.click()
    page.wait_for_url(re.compile(r".*/honorcode/cases/\d+/$"))
    assert page.locator("main table td").nth(1).inner_text() == "dana, dana_h1, dana_h2"
    assert "suspected-accounts-case-" in page.locator("#evidence-title + ul").inner_text()
    page.go_back()
    page.reload()
    assert page.locator(".in-case").count() == 2 and page.locator(".pair form button").count() == 1


def test_learner_reads_accepts_with_the_keyboard_and_still_sees_it_after_reload(demo_server, page):
    started = time.monotonic()
    page.goto(demo_server["base"] + SCENARIO + "?student=alice")
    block = page.locator(PLEDGE)
    assert block.locator(".hc-meta").inner_text().startswith("Version 1 · Last updated")
    assert "Your own work." in block.inner_text()
    assert "Additional terms for this course" in block.inner_text()
    assert "Final project: teams of up to three" in block.inner_text()
    run_axe(page, PLEDGE, "student view before accepting")

    tab_to(page, PLEDGE + " input[name=confirmed]")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused checkbox shows no focus indicator"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Accept the honor code"
    page.keyboard.press("Enter")

    confirmation = block.locator(".hc-confirmation")
    confirmation.wait_for(state="visible")
    assert "You accepted version 1 of the honor code" in confirmation.inner_text()
    # announced once: the confirmation takes the focus (the form it replaces is gone); the live region is cleared
    assert page.evaluate("document.activeElement.classList.contains('hc-confirmation')")
    assert block.locator("[role=status]").inner_text() == ""
    run_axe(page, PLEDGE, "student view after accepting")

    page.reload()
    block.locator(".hc-confirmation").wait_for(state="visible")
    assert block.locator(".hc-accept").is_hidden()
    assert page.locator(".demo-problem").count() == 2  # the graded quiz is no longer withheld
    assert accepted_rows(demo_server, "alice") == 1
    REPORT["learner_journey_seconds"] = round(time.monotonic() - started, 2)


def test_unticked_box_is_announced_and_double_click_records_once(demo_server, page):
    page.goto(demo_server["base"] + SCENARIO + "?student=bob")
    block = page.locator(PLEDGE)
    block.get_by_role("button", name="Accept the honor code").click()
    alert = block.locator("[role=alert]")
    alert.wait_for(state="visible")
    assert "Tick the box" in alert.inner_text()
    assert block.locator("input[name=confirmed]").get_attribute("aria-invalid") == "true"
    block.get_by_label("I have read the honor code").check()
    block.get_by_role("button", name="Accept the honor code").dblclick()
    block.locator(".hc-confirmation").wait_for(state="visible")
    assert accepted_rows(demo_server, "bob") == 1


def test_anonymous_visitor_cannot_accept(demo_server, page):
    page.goto(demo_server["base"] + SCENARIO + "?student=")
    block = page.locator(PLEDGE)
    assert "Sign in to accept the honor code." in block.inner_text()
    button = block.get_by_role("button", name="Accept the honor code")
    assert button.get_attribute("aria-disabled") == "true"
    usage = page.locator("[data-block-type=honorcode]").get_attribute("data-usage")
    response = post_handler(page, demo_server, usage, "accept", "", {"confirmed": True})
    assert response.status == 403
    assert response.json()["error"] == "Sign in to accept the honor code. Anonymous visitors cannot accept it."


def post_handler(page, demo_server, usage, handler, student, payload):
    """POST to a block handler with the page's CSRF cookie, as the block's JavaScript would."""
    token = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    return page.request.post(
        f"{demo_server['base']}/handler/{usage}/{handler}/?student={student}", data=json.dumps(payload),
        headers={"X-CSRFToken": token, "Content-Type": "application/json", "Referer": demo_server["base"] + "/"},
    )


def test_graded_content_is_withheld_until_accepted_in_the_placeholder(demo_server, page):
    page.goto(demo_server["base"] + SCENARIO + "?student=dave")
    gate = page.locator(GATE)
    assert "Accept the honor code to see graded content" in gate.inner_text()
    assert "Your own work." in gate.inner_text()
    assert page.locator(".demo-problem").count() == 0
    assert "Reading (ungraded)" in page.inner_text("body")
    run_axe(page, GATE, "gate placeholder")

    problem = page.evaluate("""() => [...document.querySelectorAll('[data-usage]')]
        .map(e => e.getAttribute('data-usage')).find(u => u.includes('.demo_problem.'))""")
    assert problem is None  # not even rendered, so the page holds no handler URL for it
    usage = demo_server["problem_usage"]
    refused = post_handler(page, demo_server, usage, "submit", "dave", {"answer": "5"})
    assert refused.status == 403
    assert refused.json()["error"] == "Accept the honor code of this course before you submit graded work."

    gate.get_by_label("I have read the honor code").check()
    gate.get_by_role("button", name="Accept the honor code").click()
    page.wait_for_url("**/scenario/demo_course.0/?student=dave")
    page.locator(".demo-problem").first.wait_for()
    assert page.locator(GATE).count() == 0
    first = page.locator(".demo-problem").first
    first.locator("input").fill("5")
    first.get_by_role("button", name="Submit").click()
    first.locator(".demo-result").filter(has_text="Correct.").wait_for()
    assert post_handler(page, demo_server, usage, "submit", "dave", {"answer": "4"}).status == 200


def publish(demo_server, kind, summary):
    path = Path(demo_server["env"]["HONORCODE_VAR_DIR"]) / f"honor-{kind}.html"
    path.write_text(f"<p>Our honor code, {kind} revision.</p>" + "<p>Your own work.</p>", encoding="utf-8")
    return _django(demo_server["env"], "publish_honor_code", "--file", str(path), "--change-kind", kind,
                   "--summary", summary, "--username", "staff")


def test_material_change_notice_and_re_acceptance_then_minor_change_notice_only(demo_server, page):
    assert "Published honor code version 2 (material)" in publish(demo_server, "material", "Adds a clause on AI tools.")
    page.goto(demo_server["base"] + SCENARIO + "?student=dave")
    notice = page.locator(".hc-change-notice").first
    assert "The honor code was updated on" in notice.inner_text()
    assert "Version 2 is a material change." in notice.inner_text()
    assert "Adds a clause on AI tools." in notice.inner_text()
    assert "accept it again" in notice.inner_text()
    run_axe(page, ".hc-change-notice", "change notice")
    gate = page.locator(GATE)
    assert page.locator(".demo-problem").count() == 0
    assert "Version 2" in gate.locator(".hc-meta").inner_text()
    gate.get_by_label("I have read the honor code").check()
    gate.get_by_role("button", name="Accept the honor code").click()
    page.wait_for_url("**/scenario/demo_course.0/?student=dave")
    page.locator(".demo-problem").first.wait_for()
    assert page.locator(".hc-change-notice").count() == 0  # shown once
    assert acceptance_methods(demo_server, "dave", 2) == ["continued_access", "explicit"]

    assert "(minor)" in publish(demo_server, "minor", "Fixes a typo.")
    page.goto(demo_server["base"] + SCENARIO + "?student=dave")
    notice = page.locator(".hc-change-notice").first
    assert "Version 3 is a minor change." in notice.inner_text() and "Fixes a typo." in notice.inner_text()
    assert "By continuing to use this course you agree" in notice.inner_text()
    assert page.locator(".demo-problem").count() == 2 and page.locator(GATE).count() == 0
    assert acceptance_methods(demo_server, "dave", 3) == ["continued_access"]
    page.reload()
    assert page.locator(".hc-change-notice").count() == 0


def acceptance_methods(server, username, version):
    code = ("from honorcode_xblock.models import Acceptance; print(sorted(Acceptance.objects.filter("
            f"user__username={username!r}, policy_version__number={version}).values_list('method', flat=True)))")
    return json.loads(_django(server["env"], "shell", "-c", code).strip().splitlines()[-1].replace("'", '"'))


def test_author_preview_and_staff_counts(demo_server, page):
    page.goto(demo_server["base"] + BLOCK_ALONE + "author_view/?student=staff")
    block = page.locator(".honorcode-block")
    assert "This is a preview." in block.inner_text()
    assert block.get_by_role("button", name="Accept the honor code").get_attribute("aria-disabled") == "true"
    assert block.locator("table.hc-counts tbody tr").count() >= 1
    run_axe(page, ".honorcode-block", "Studio preview (author view)")


def test_author_edits_settings_with_inline_errors_then_learner_signs(demo_server, page):
    page.goto(demo_server["base"] + BLOCK_ALONE + "studio_view/?student=staff")
    editor = page.locator(".honorcode-studio")
    run_axe(page, ".honorcode-studio", "Studio editor")
    editor.get_by_label("Assignments where collaboration is permitted").fill("not a usage key")
    editor.get_by_label("Typed full name (signature)").check()
    editor.get_by_role("button", name="Save").click()
    error = editor.locator("[id$=-collaboration-error]")
    error.wait_for(state="visible")
    assert 'Line 1: "not a usage key" is not a usage key' in error.inner_text()
    assert "Correct the fields marked below" in editor.locator("[role=alert]").inner_text()
    assert editor.get_by_label("Assignments where collaboration is permitted").get_attribute("aria-invalid") == "true"
    run_axe(page, ".honorcode-studio", "Studio editor showing errors")

    editor.get_by_label("Assignments where collaboration is permitted").fill(
        "block-v1:HonorCode+Demo+2026+type@problem+block@final_project | Final project: teams of up to three")
    editor.get_by_role("button", name="Save").click()
    editor.locator("[role=status]").filter(has_text="Settings saved.").wait_for()

    page.goto(demo_server["base"] + SCENARIO + "?student=carol")
    block = page.locator(PLEDGE)
    signature = block.get_by_label("Your full name")
    signature.fill("Carol Example")
    signature.press("Enter")
    block.locator(".hc-confirmation").wait_for(state="visible")
    run_axe(page, PLEDGE, "student view in signature mode")


def test_staff_report_determine_and_the_learner_sees_the_outcome(demo_server, page):
    """
    The staff flow in the demo: sign in, from the block's staff view to the case pages, report, add evidence,
    determine with sanctions; then the learner's record, the message in the outbox and each sanction's effect.
    """
    base = demo_server["base"]
    started = time.monotonic()
    page.goto(base + "/demo/login/?next=" + SCENARIO + "?student=staff")
    page.fill("#username", "staff")
    page.fill("#password", "staff-demo-password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    cases_url = page.locator(PLEDGE + " .hc-cases a").first.get_attribute("href")
    assert cases_url == "/honorcode/courses/course-v1:HonorCode+Demo+2026/cases/"
    page.goto(base + cases_url)
    run_axe(page, "main", "case list")
    page.click("text=Report a suspected violation")
    run_axe(page, "main", "new case form")
    page.fill("#respondents", "bob")
    page.select_option("#commitment", "no_posting_answers")
    page.fill("#usage_key", demo_server["problem_usage"])
    page.fill("#description", "Bob posted the answers of the graded problem on a public forum.")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/honorcode/cases/\d+/$"))
    case_url = page.url
    assert page.locator("#case-status").inner_text() == "Open"

    page.fill("#evidence-text", "Forum post 1234, copied from the graded problem.")
    page.click("text=Add evidence >> nth=-1")
    page.wait_for_load_state()
    assert "Forum post 1234" in page.locator("#evidence-title + ul").inner_text()

    page.check("#finding-violation")
    page.fill("#rationale", "The post reproduces the graded answers word for word.")
    for kind in ("zero_credit", "certificate_withheld", "unenroll"):
        page.check(f"#sanction-{kind}")
    page.click("text=Record the determination")
    page.wait_for_url(case_url)
    assert page.locator("#case-status").inner_text() == "Determined"
    states = page.locator("td[data-state]").evaluate_all("cells => cells.map(c => c.dataset.state)")
    assert states == ["applied", "applied", "applied"]
    assert "sent" in page.locator("#sanctions-title ~ ul").inner_text()
    run_axe(page, "main", "case page")

    learner = page.context.browser.new_context().new_page()
    learner.goto(base + "/honorcode/me/")  # the record is read signed in: sign in as bob first
    learner.wait_for_url(re.compile(r".*/demo/login/\?next=/honorcode/me/$"))
    learner.fill("#username", "bob")
    learner.fill("#password", "bob-demo-password")
    learner.click("button[type=submit]")
    learner.wait_for_url(base + "/honorcode/me/")
    record = learner.locator("main").inner_text()
    assert "Violation" in record and "Never post or share answers" in record
    assert "Zero credit on the assignment" in record and "No refund is issued" in record
    run_axe(learner, "main", "my honor code record")
    learner.goto(base + "/demo/outbox/")
    message = learner.locator("article.message").first.inner_text()
    assert "To bob@example.com" in message and "Honor code determination" in message
    assert "Certificate withheld" in message and "No refund is issued for any of these actions." in message
    learner.goto(base + "/demo/learner/bob/")
    assert learner.locator("#enrollment").inner_text() == "unenrolled (verified, no refund)"
    assert ": 0.0 (Honor code case" in learner.locator("#overrides").inner_text()
    learner.click("text=Request the certificate")
    assert "withheld by an honor code determination" in learner.locator("#certificate-refused").inner_text()

    # terminating an account (global staff): the learner can no longer sign in
    _django(demo_server["env"], "shell", "-c",
            "from django.contrib.auth import get_user_model; "
            "get_user_model().objects.create_user('mallory', 'mallory@example.com', 'mallory-password')")
    page.goto(base + cases_url + "new/")
    page.fill("#respondents", "mallory")
    page.select_option("#commitment", "one_account")
    page.fill("#description", "Shared the account with a paid test taker.")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/honorcode/cases/\d+/$"))
    page.check("#finding-violation")
    page.fill("#rationale", "Logins from two countries within an hour, confirmed by the learner.")
    page.check("#sanction-terminate_account")
    page.click("text=Record the determination")
    page.wait_for_load_state()
    assert page.locator("td[data-state]").inner_text() == "Applied"
    learner.goto(base + "/demo/login/")
    learner.fill("#username", "mallory")
    learner.fill("#password", "mallory-password")
    learner.click("button[type=submit]")
    # the termination made the password unusable: the sign-in answers as for any wrong password, and tells nobody
    # who merely types the username that the account was terminated (the learner was told by the notice)
    assert learner.locator("#login-error").inner_text() == "The username or password is wrong."
    REPORT["staff flow"] = {"seconds": round(time.monotonic() - started, 2),
                            "sanctions applied": 4, "messages in the outbox": 2}
