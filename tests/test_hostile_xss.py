"""
Hostile input in headless Chromium: about 200 XSS attack strings from public cheat sheets through every text an
operator, a course author or a staff member enters (and the signature a learner types), on every page that renders
it. No script may run.

The strings (``tests/data/xss_vectors.json``: the OWASP XSS Filter Evasion Cheat Sheet and PayloadsAllTheThings)
go in through the doors people use: the REST API (operators publish honor code versions, staff open, document and
determine cases), the block's handlers (authors in Studio, learners signing) and the server-rendered forms (staff).
Each string goes in behind a marker (``hcx017 <svg/onload=...>``), and each page must show what was entered: the
very string as text where the page escapes it, or exactly what ``honorcode_xblock.sanitize`` leaves of it where the
text is HTML.

Every text, and the pages that render it (each one loaded in Chromium with the strings in it):

- operator: policy title: the pledge (block student view, author view, gate placeholder), the honor code page
  ``/honorcode/v<n>/`` (window title and heading), the policy versions API (browsable), the Django admin's list;
- operator: policy body: the pledge, the honor code page, the policy versions API;
- operator: change summary: the change notice in the course unit, the honor code page, the policy versions API;
- author: display name: the block's student and author views (heading), the Studio editor (field);
- author: course terms (HTML): the pledge, the Studio editor (field);
- author: collaboration notes: the pledge's list, the Studio editor (field);
- author: collaboration lines that are not usage keys: the Studio editor's field error (written by its JavaScript);
- staff: case description: the case page, the case API (browsable), the new-case form shown again with its errors;
- staff: respondents, assignment, conduct time: the new-case form shown again with its errors (values, messages);
- staff: evidence text and evidence file name: the case page, the case API;
- staff: rationale: the case page, the determination form shown again with its errors, "My honor code record",
  the record API (browsable), the determination message (its HTML in Chromium, its text in the demo's outbox);
- staff: "other" sanction details: the case page, "My honor code record", the record API, the determination
  message, the outbox;
- staff: case list filters: the case list (filter field, error message);
- learner: typed signature (signature mode): the acceptance in the Django admin (the operators' only view of it).

No page renders the rest, so it is not here: status-change notes and revert reasons (the audit trail keeps a
digest) and evidence file contents (downloaded as attachments, under a sandboxing Content-Security-Policy).

A script counts as run when it calls ``alert``, ``confirm``, ``prompt``, ``print`` or ``open`` (replaced by
recorders before any script of the page), opens a dialog, navigates a frame away or reaches a host other than
127.0.0.1 (every such request is answered with a script that records itself when it runs). After each load the
test fires, on every element of the rendered texts, the events the vectors wait for, and checks their DOM: no
event-handler attribute, no javascript:/vbscript:/data: URL, no active element (script, iframe, object, form, svg,
...) and, where the text is HTML, only what the sanitizer allows. The first test shows that the same checks catch
the vectors when nothing escapes them.
"""
import email
import html
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from email import policy as email_policy
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.utils.html import escape

from honorcode_xblock import policy
from honorcode_xblock.api import MAX_RESPONDENTS
from honorcode_xblock.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES, clean_html

from .test_browser import REPORT, browser, demo_server  # noqa: F401  pylint: disable=unused-import

pytestmark = pytest.mark.browser

VECTORS_FILE = Path(__file__).resolve().parent / "data" / "xss_vectors.json"
COURSE = "course-v1:HonorCode+Demo+2026"
BLOCK = "/scenario/honorcode.0/"
UNIT = "/scenario/demo_course.0/"
#: Vectors per batch: each long text (course terms, case description, rationale...) holds a whole batch.
BATCH_SIZE = 40
#: The longest policy title: a short text (title, display name) holds as many whole vectors as fit in it.
SHORT_TEXT = 200
#: Evidence file names: the server keeps 200 characters of a name, after the browser's escapes (" is %22).
FILE_NAME = 140
#: The longest typed signature.
SIGNATURE = 255
LOOPBACK = {"127.0.0.1", "localhost"}
#: What the recorders see of a script that runs (as opposed to a request or a navigation it may also cause).
SCRIPT_RUNS = {"alert", "confirm", "prompt", "print", "open", "remote script", "dialog"}
STAFF = ("staff", "staff-demo-password")
RESPONDENT = ("bob", "bob-demo-password")

#: Runs in every frame before the page's own scripts: the functions vectors call become recorders.
INIT_SCRIPT = r"""
(() => {
  if (window.__xssRecord) { return; }
  const sink = () => {
    try { if (window.top.__xssLog) { return window.top; } } catch (error) { /* another origin */ }
    return window;
  };
  window.__xssLog = [];
  window.__xssWhere = 'while the page loads';
  window.__xssRecord = (kind, detail) => {
    const target = sink();
    target.__xssLog.push({kind: kind, detail: String(detail).slice(0, 160), where: target.__xssWhere,
                          frame: window.name || location.href});
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
    window[name] = function (value) { window.__xssRecord(name, value); return null; };
  }
  // the events the test fires on the rendered texts must not leave the page: links stay put (javascript: ones
  // still run) and forms are not sent
  const firing = () => {
    try { return Boolean(window.top.__xssFiring); } catch (error) { return false; }
  };
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href], area[href]') : null;
    if (firing() && link && !/^[\u0000-\u0020]*(javascript|vbscript):/i.test(link.getAttribute('href'))) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener('submit', (event) => { if (firing()) { event.preventDefault(); } }, true);
})();
"""

#: The answer to every request that leaves 127.0.0.1 (itself recorded): a script that records itself if it runs.
REMOTE_SCRIPT = "window.__xssRecord('remote script', document.currentScript && document.currentScript.src);"

#: The events vectors wait for (``on<event>`` attributes), fired on every element of the rendered texts.
EVENTS = """
click dblclick mousedown mouseup mouseover mouseout mouseenter mouseleave mousemove contextmenu auxclick wheel
pointerover pointerenter pointerdown pointerup pointermove pointerout pointerleave
focus blur focusin focusout keydown keyup keypress input beforeinput change select search invalid submit reset
toggle load error abort readystatechange show activate beforeactivate deactivate beforedeactivate
animationstart animationiteration animationend transitionstart transitionrun transitionend
scroll drag dragstart dragend dragenter dragleave dragover drop copy cut paste beforecopy beforecut beforepaste
touchstart touchend touchmove loadstart loadeddata loadedmetadata canplay canplaythrough durationchange play
playing pause ended timeupdate volumechange seeking seeked progress suspend begin end repeat start finish bounce
message hashchange popstate pageshow pagehide resize beforeunload unload storage online offline beforeprint
afterprint
""".split()

#: Inspects the rendered texts (``regions``) of the page, or of each vector's frame (``frames``), fires the events on
#: them and returns what it found.
INSPECT_SCRIPT = r"""
async ({regions, allowed, events, frames}) => {
  const FORBIDDEN = new Set(['script', 'style', 'link', 'meta', 'base', 'iframe', 'frame', 'frameset', 'object',
    'embed', 'applet', 'param', 'form', 'input', 'button', 'select', 'textarea', 'isindex', 'keygen', 'svg', 'math',
    'img', 'image', 'video', 'audio', 'source', 'picture', 'marquee', 'details', 'template', 'bgsound', 'layer',
    'xml', 'noscript', 'xmp', 'plaintext']);
  const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background',
    'poster', 'lowsrc', 'dynsrc', 'codebase', 'cite', 'srcset', 'ping', 'manifest', 'icon', 'longdesc', 'usemap',
    'classid', 'archive', 'content']);
  const DANGEROUS = new Set(['javascript', 'vbscript', 'livescript', 'mocha', 'data']);
  const MOUSE = new Set(['click', 'dblclick', 'mousedown', 'mouseup', 'mouseover', 'mouseout', 'mouseenter',
    'mouseleave', 'mousemove', 'contextmenu', 'auxclick']);
  const FOCUS = new Set(['focus', 'blur', 'focusin', 'focusout']);
  const normal = (text) => text.replace(/\s+/g, ' ').trim();
  const scheme = (value) => {
    const match = value.replace(/[\u0000-\u0020]/g, '').match(/^(?:\d+;\s*url=)?([a-z][a-z0-9+.-]*):/i);
    return match ? match[1].toLowerCase() : '';
  };
  const snippet = (element) => element.outerHTML.slice(0, 200);
  const dangerous = (attribute) => URL_ATTRIBUTES.has(attribute.name.toLowerCase())
    && DANGEROUS.has(scheme(attribute.value));
  const touched = [];

  const inspect = (doc) => {
    const textOf = (markup) => {
      const holder = doc.createElement('template');
      holder.innerHTML = markup;
      return normal(holder.content.textContent);
    };
    const report = [];
    for (const region of regions) {
      const nodes = [...doc.querySelectorAll(region.selector)];
      const result = {found: nodes.length, missing: [], violations: []};
      const shown = nodes.map((node) => node.textContent).join('\n');
      if (region.kind === 'text') {
        result.missing = region.expected.filter((text) => !shown.includes(text));
      } else if (region.kind === 'value') {
        const values = nodes.map((node) => node.localName === 'input' ? node.getAttribute('value') : node.value);
        result.missing = region.expected.filter((text) => !values.includes(text));
      } else {
        const normalShown = normal(shown);
        result.missing = region.expected.filter((markup) => {
          const text = textOf(markup);
          return !text || !normalShown.includes(text);
        });
      }
      for (const node of nodes) {
        for (const element of [node, ...node.querySelectorAll('*')]) {
          const own = element === node;  // the region's own element is the page's, not the input's
          if (!own && region.skip && element.closest(region.skip)) { continue; }
          const tag = element.localName;
          if (!own && FORBIDDEN.has(tag)) { result.violations.push(`<${tag}> element: ${snippet(element)}`); }
          if (!own && region.kind === 'html' && !allowed.tags.includes(tag)) {
            result.violations.push(`<${tag}> is not allowed in sanitized HTML: ${snippet(element)}`);
          }
          for (const attribute of element.attributes) {
            const name = attribute.name.toLowerCase();
            if (name.startsWith('on')) { result.violations.push(`event handler ${name}: ${snippet(element)}`); }
            if (dangerous(attribute)) { result.violations.push(`${name} URL: ${snippet(element)}`); }
            if (own) { continue; }
            if (name === 'style' || name === 'srcdoc') {
              result.violations.push(`${name} attribute: ${snippet(element)}`);
            }
            if (region.kind === 'html') {
              const permitted = [...(allowed.attributes[tag] || []), ...(allowed.attributes['*'] || [])];
              const used = scheme(attribute.value);
              if (!permitted.includes(name)) {
                result.violations.push(`${name} attribute is not allowed in sanitized HTML: ${snippet(element)}`);
              } else if (name === 'href' && used && !allowed.schemes.includes(used)) {
                result.violations.push(`href scheme is not allowed in sanitized HTML: ${snippet(element)}`);
              }
            }
          }
          touched.push([region.label, element]);
        }
      }
      report.push(result);
    }
    // anywhere on the page: what none of the app's pages holds, and no script that came from input
    const page = [];
    for (const element of doc.querySelectorAll('*')) {
      const tag = element.localName;
      if (['base', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet'].includes(tag)) {
        page.push(`<${tag}> element: ${snippet(element)}`);
      }
      if (tag === 'meta' && element.hasAttribute('http-equiv')
          && element.getAttribute('http-equiv').toLowerCase() !== 'content-type') {
        page.push(`<meta http-equiv>: ${snippet(element)}`);
      }
      if (tag === 'script' && /hcx\d{3}/.test(`${element.getAttribute('src') || ''} ${element.textContent}`)) {
        page.push(`script holding input: ${snippet(element)}`);
      }
      for (const attribute of element.attributes) {
        if (attribute.name.toLowerCase().startsWith('on') || dangerous(attribute)) {
          page.push(`${attribute.name}: ${snippet(element)}`);
        }
      }
    }
    return {regions: report, page: page};
  };

  let found;
  if (frames) {  // the control: how many problems each vector's frame shows (null: the frame is gone)
    found = {};
    for (const frame of document.querySelectorAll('iframe[name^=hcx]')) {
      const doc = frame.contentDocument;
      const result = doc ? inspect(doc) : null;
      found[frame.name] = result && result.regions[0].violations.length + result.page.length;
    }
  } else {
    found = inspect(document);
  }
  window.__xssFiring = true;
  for (const [label, element] of touched) {
    window.__xssWhere = `${label}: ${snippet(element).slice(0, 120)}`;
    const view = element.ownerDocument.defaultView;
    for (const type of events) {
      const init = {bubbles: false, cancelable: true};
      const event = MOUSE.has(type) ? new view.MouseEvent(type, {...init, view: view})
        : FOCUS.has(type) ? new view.FocusEvent(type, init) : new view.Event(type, init);
      try { element.dispatchEvent(event); } catch (error) { /* a handler's own error is not ours */ }
    }
    try { element.focus(); } catch (error) { /* not focusable */ }
  }
  window.__xssFiring = false;
  window.__xssWhere = 'after the events';
  await new Promise((resolve) => setTimeout(resolve, 30));
  return {found: found, log: window.__xssLog.splice(0), touched: touched.length};
}
"""

#: What ``honorcode_xblock.sanitize`` lets through, for the checks of sanitized HTML (nh3 adds ``rel`` to links).
ALLOWED = {
    "tags": sorted(ALLOWED_TAGS),
    "attributes": {tag: sorted(attrs | ({"rel"} if tag == "a" else set()))
                   for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    "schemes": sorted(ALLOWED_URL_SCHEMES),
}


@dataclass(frozen=True)
class Vector:
    """One attack string of the corpus, numbered from 1 in the file's order."""

    number: int
    source: str
    text: str

    @property
    def marker(self):
        """The token that names the vector on every page (``hcx017``)."""
        return f"hcx{self.number:03d}"

    @property
    def marked(self):
        """The vector behind its marker, as it is entered."""
        return f"{self.marker} {self.text}"

    @property
    def line(self):
        """The marked vector on one line, for the one-line texts."""
        return self.marked.replace("\n", " ")

    @property
    def usage_key(self):
        """An assignment of the demo course named after the vector (for its collaboration note)."""
        return f"block-v1:HonorCode+Demo+2026+type@problem+block@{self.marker}"


@lru_cache(maxsize=None)
def load_vectors():
    """The corpus of ``tests/data/xss_vectors.json``."""
    corpus = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
    return tuple(Vector(number, item["source"], item["vector"]) for number, item in enumerate(corpus["vectors"], 1))


def batches(vectors, size=BATCH_SIZE):
    """The vectors in batches of ``size``."""
    return [vectors[start:start + size] for start in range(0, len(vectors), size)]


def chunks(vectors, limit=SHORT_TEXT):
    """The vectors in runs whose lines, joined by spaces, fit in ``limit`` characters (a longer one alone)."""
    runs, current = [], []
    for vector in vectors:
        if current and len(" ".join(item.line for item in [*current, vector])) > limit:
            runs.append(current)
            current = []
        current.append(vector)
    return runs + [current] if current else runs


@dataclass
class Region:
    """
    Where a page renders texts (``texts``: "operator: policy title, change summary"): its elements (``selector``)
    and what they must show.

    ``kind`` is ``text`` (escaped: each expected string appears as text), ``html`` (sanitized: each expected input
    shows as what the sanitizer leaves of it, and nothing outside its allow-list) or ``value`` (a form field's value
    is the expected string). ``skip`` selects the page's own elements inside the region (a heading).
    """

    texts: str
    selector: str
    kind: str = "text"
    expected: list = field(default_factory=list)
    skip: str = ""

    @property
    def names(self):
        """The texts one by one: "operator: policy title", "operator: change summary"."""
        who, _sep, names = self.texts.partition(": ")
        return [f"{who}: {name}" for name in names.split(", ")]

    def payload(self):
        """The region as the inspecting script takes it (sanitized HTML: the sanitizer's output, to compare)."""
        expected = [clean_html(markup) for markup in self.expected] if self.kind == "html" else list(self.expected)
        return {"label": self.texts, "selector": self.selector, "kind": self.kind, "expected": expected,
                "skip": self.skip}


class Hostile:
    """
    Chromium pages on the demo that record every script a vector could run, and the checks of what they render.

    ``incidents`` are scripts that ran (and requests that left 127.0.0.1, dialogs, popups, frames navigated away,
    JavaScript errors); ``findings`` are DOM violations and texts that did not reach their page. A clean run has
    neither.
    """

    def __init__(self, server, chromium):
        self.base = server["base"]
        self.mail_dir = Path(server["env"]["HONORCODE_VAR_DIR"]) / "mail"
        self.chromium = chromium
        self.contexts = []
        self.where = "starting"
        self.incidents = []
        self.findings = []
        self.figures = Counter()
        self.rendered = {}  # text -> the pages checked to render it
        self.staff = self.new_page()
        self.sign_in(self.staff, *STAFF)
        # a page without a session: the workbench (and the gate) take it as the learner its ?student= names
        self.visitor = self.new_page()
        self.visitor.goto(self.base + BLOCK + "?student=")

    # --- pages ---------------------------------------------------------------------------------------------------

    def new_page(self):
        """A page in a context of its own, instrumented before any script of a page runs."""
        context = self.chromium.new_context()
        self.contexts.append(context)
        context.add_init_script(INIT_SCRIPT)
        context.route(lambda url: urlsplit(url).hostname not in LOOPBACK, self._left_loopback)
        page = context.new_page()
        page.on("dialog", lambda dialog: self._dialog(page, dialog))
        page.on("pageerror", lambda error: self.incident("JavaScript error", error, page=page))
        page.on("framenavigated", lambda frame: self._navigated(page, frame))
        page.on("popup", lambda popup: self.incident("popup", popup.url, page=page))
        return page

    def _left_loopback(self, route):
        request = route.request
        self.incident("request off 127.0.0.1", f"{request.resource_type} {request.url}", request.frame.name,
                      request.frame.page)
        route.fulfill(status=200, content_type="application/javascript", body=REMOTE_SCRIPT)

    def _dialog(self, page, dialog):
        self.incident("dialog", f"{dialog.type}: {dialog.message}", page=page)
        dialog.dismiss()

    def _navigated(self, page, frame):
        if not (frame.url.startswith(self.base) or frame.url.startswith("about:")):
            self.incident("frame navigated away", frame.url, frame.name, page)

    def incident(self, kind, detail, frame="", page=None):
        """Record something a vector made happen (``frame``: the name of the frame it happened in)."""
        where = f"{self.where}; page {page.url[len(self.base):][:120]}" if page is not None else self.where
        self.incidents.append({"kind": kind, "detail": str(detail)[:300], "where": where, "frame": frame})

    def close_page(self, page):
        """Close the page's context."""
        self.contexts.remove(page.context)
        page.context.close()

    def close(self):
        """Close every context opened."""
        for context in self.contexts:
            context.close()

    def sign_in(self, page, username, password):
        """Sign in through the demo's login form."""
        self.where = f"signing in as {username}"
        page.goto(self.base + "/demo/login/")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    def visit(self, page, path, name, regions, form=None, content=None):
        """
        Load ``path`` (a GET; a form POST when ``form`` is given; ``content`` served as that page when given),
        then check ``regions``.
        """
        url = self.base + path
        if form is not None:
            body = urlencode({"csrfmiddlewaretoken": self.csrf(page), **form})
            page.route(lambda address: address == url, lambda route: route.continue_(
                method="POST", post_data=body,
                headers={**route.request.headers, "content-type": "application/x-www-form-urlencoded"}), times=1)
        if content is not None:
            page.route(lambda address: address == url, lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=content), times=1)
        self.where = f"{name} ({path[:120]})"
        page.goto(url)
        self.figures["page loads"] += 1
        self.inspect(page, name, regions)

    def inspect(self, page, name, regions):
        """Check the regions of the page as it is now, fire the events on them and record what happened."""
        self.where = f"{name} ({page.url[len(self.base):][:120]})"
        result = page.evaluate(INSPECT_SCRIPT, {"regions": [region.payload() for region in regions],
                                                "allowed": ALLOWED, "events": EVENTS, "frames": False})
        self.figures["elements the events were fired at"] += result["touched"]
        for region, found in zip(regions, result["found"]["regions"]):
            for text in region.names:
                self.rendered.setdefault(text, set()).add(name)
            self.figures["strings checked on their page"] += len(region.expected)
            place = f"{name}: {region.texts} ({region.selector})"
            if not found["found"]:
                self.findings.append(f"{place}: not on the page")
            for text in found["missing"]:
                self.findings.append(f"{place}: does not show {text[:160]!r}")
            for violation in found["violations"]:
                self.findings.append(f"{place}: {violation}")
        for violation in result["found"]["page"]:
            self.findings.append(f"{name}: the page holds {violation}")
        for entry in result["log"]:
            self.incident(entry["kind"], f"{entry['detail']} ({entry['where']})", entry["frame"], page)

    def clean(self):
        """Nothing ran, every text reached its pages and no DOM check failed: the failure lists what did not hold."""
        self.figures["scripts run"] += sum(item["kind"] != "JavaScript error" for item in self.incidents)
        self.figures["DOM violations and texts missing"] += len(self.findings)
        problems = [f"{item['kind']}: {item['detail']} [{item['where']}; frame {item['frame']!r}]"
                    for item in self.incidents] + self.findings
        self.incidents, self.findings = [], []
        assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:80])

    # --- requests ------------------------------------------------------------------------------------------------

    @staticmethod
    def csrf(page):
        """The page's CSRF token (Django's cookie)."""
        return next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")

    def api(self, page, path, body=None, multipart=None):
        """POST to the REST API with the page's session; returns the object created."""
        headers = {"X-CSRFToken": self.csrf(page), "Referer": self.base + "/"}
        if multipart is None:
            response = page.request.post(self.base + path, data=json.dumps(body),
                                         headers={**headers, "Content-Type": "application/json"})
        else:
            response = page.request.post(self.base + path, multipart=multipart, headers=headers)
        self.figures["requests that enter texts"] += 1
        assert response.status == 201, f"POST {path}: {response.status} {response.text()[:500]}"
        return response.json()

    def handler(self, page, usage, name, student, payload, status=200):
        """POST to a block handler as the workbench student ``student``, as the block's JavaScript does."""
        response = page.request.post(
            f"{self.base}/handler/{usage}/{name}/?student={student}", data=json.dumps(payload),
            headers={"X-CSRFToken": self.csrf(page), "Content-Type": "application/json", "Referer": self.base + "/"},
        )
        self.figures["requests that enter texts"] += 1
        assert response.status == status, f"{name} handler: {response.status} {response.text()[:500]}"
        return response.json()

    def notice_messages(self):
        """The HTML and text bodies of the messages the demo sent (Django's file email backend, in ``var/mail``)."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(b"-" * 79):
                if chunk.strip():
                    message = email.message_from_bytes(chunk.strip(), policy=email_policy.default)
                    messages.append({
                        "html": message.get_body(preferencelist=("html",)).get_content(),
                        "text": message.get_body(preferencelist=("plain",)).get_content(),
                    })
        return messages


@pytest.fixture(scope="module")
def hostile(demo_server, browser):  # pylint: disable=redefined-outer-name
    """The instrumented pages on the demo; the run's figures go to ``var/browser-report.json``."""
    started = time.monotonic()
    harness = Hostile(demo_server, browser)
    yield harness
    harness.close()
    vectors = load_vectors()
    REPORT["hostile XSS"] = {
        "vectors": len(vectors),
        "vectors by source": dict(Counter(vector.source for vector in vectors)),
        "texts and the pages checked to render them": {text: sorted(pages)
                                                       for text, pages in sorted(harness.rendered.items())},
        "pages": len({page for pages in harness.rendered.values() for page in pages}),
        **dict(harness.figures),
        "seconds": round(time.monotonic() - started, 1),
    }


def settings_payload(**values):
    """The Studio editor's save, with the demo course's switches as seeded (gated, re-acceptance asked)."""
    return {"acceptance_mode": "checkbox", "gate_graded_content": True, "staff_exempt": True,
            "reaccept_after_material_change": True, **values}


def collaboration(vectors):
    """The collaboration field's lines for ``vectors``: each on an assignment of its own, the vector as the note."""
    return [f"{vector.usage_key} | {vector.line[:500].strip()}" for vector in vectors]


def notes(lines):
    """The notes of collaboration lines, as learners see them."""
    return [line.split(" | ", 1)[1] for line in lines]


def pledge(scope, title, body, terms, lines):
    """The regions of the pledge (the honor code, the course's terms and collaboration list) within ``scope``."""
    return [
        Region("operator: policy title", f"{scope} .hc-policy [id$=-policy-title]", expected=[title]),
        Region("operator: policy body", f"{scope} .hc-policy .hc-text", "html", [body]),
        Region("author: course terms", f"{scope} .hc-terms .hc-text", "html", [terms]),
        Region("author: collaboration notes", f"{scope} .hc-collab-list", expected=notes(lines)),
    ]


def test_the_checks_catch_the_vectors_when_nothing_escapes_them(hostile):
    """
    Control: each vector as it is, unescaped, in a frame of its own. Scripts run and the DOM checks flag every
    vector that ran, so a clean product page means that the product neutralised them, not that the test is blind.
    """
    page = hostile.new_page()
    frames = "".join(f'<iframe name="{vector.marker}" srcdoc="{html.escape(vector.text, quote=True)}"></iframe>'
                     for vector in load_vectors())
    path = "/hostile-xss-control/"
    page.route(hostile.base + path, lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=f"<!DOCTYPE html><title>raw</title>{frames}"),
        times=1)  # a vector's frame that loads this address again gets the server's 404
    hostile.where = "the unescaped vectors"
    page.goto(hostile.base + path, wait_until="domcontentloaded")
    page.wait_for_timeout(1000)  # image errors, autofocus, media events
    result = page.evaluate(INSPECT_SCRIPT, {"regions": [Region("control: unescaped vector", ":root").payload()],
                                            "allowed": ALLOWED, "events": EVENTS, "frames": True})
    # flagged: the DOM checks found something, or the vector took its frame to another origin
    flagged = {name for name, problems in result["found"].items() if problems is None or problems > 0}
    for entry in result["log"]:
        hostile.incident(entry["kind"], entry["detail"], entry["frame"])
    hostile.close_page(page)  # nothing a vector left running may reach the next test
    ran = {item["frame"] for item in hostile.incidents
           if item["kind"] in SCRIPT_RUNS and item["frame"].startswith("hcx")}
    hostile.incidents = []
    hostile.figures["control: vectors that ran unescaped"] = len(ran)
    hostile.figures["control: vectors the DOM checks flag unescaped"] = len(flagged)
    assert len(ran) >= 20, f"only {sorted(ran)} ran unescaped: the recorders do not see scripts run"
    assert ran <= flagged, f"vectors that ran but passed the DOM checks: {sorted(ran - flagged)}"


def test_the_checks_fail_a_product_page_that_does_not_escape(hostile):
    """
    Control on a real page: the block's student view as a template with one ``|safe`` too many would send it, its
    display name unescaped. Scripts run, the display name is not shown as entered and the DOM checks fail.
    """
    staff = hostile.staff
    staff.goto(hostile.base + BLOCK + "?student=staff")
    usage = staff.locator("[data-block-type=honorcode]").get_attribute("data-usage")
    display_name = " ".join(vector.marked for vector in chunks(load_vectors())[0])
    hostile.handler(staff, usage, "studio_submit", "staff", settings_payload(display_name=display_name))
    rendered = staff.request.get(hostile.base + BLOCK + "?student=staff").text()
    assert str(escape(display_name)) in rendered
    path = BLOCK + "unescaped/"
    staff.route(hostile.base + path, lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8",
        body=rendered.replace(str(escape(display_name)), display_name)), times=1)
    hostile.where = "the block's student view, its display name unescaped"
    staff.goto(hostile.base + path)
    heading = Region("author: display name", ".honorcode-block > .hc-heading", expected=[display_name])
    result = staff.evaluate(INSPECT_SCRIPT, {"regions": [heading.payload()], "allowed": ALLOWED, "events": EVENTS,
                                             "frames": False})
    found = result["found"]["regions"][0]
    ran = [entry for entry in result["log"] if entry["kind"] in SCRIPT_RUNS]
    ran += [item for item in hostile.incidents if item["kind"] in SCRIPT_RUNS | {"request off 127.0.0.1"}]
    hostile.incidents = []
    assert ran, "no script ran on the unescaped page: the recorders are blind"
    assert found["missing"] == [display_name], "the unescaped display name passed for shown as entered"
    assert found["violations"], "the DOM checks passed the unescaped display name"


def test_operator_and_author_texts(hostile):
    """
    Operators' honor code versions and authors' course settings, on every page that shows them: the block's
    student and author views, the Studio editor (and its errors), the honor code page, the gate's placeholder and
    the change notice in the course unit, the policy versions API and the Django admin.

    The short texts (title, display name) take a few vectors at a time, each version and each save on its own
    page loads; the long ones a batch at a time.
    """
    staff, visitor = hostile.staff, hostile.visitor
    hostile.where = "the block on its own"
    staff.goto(hostile.base + BLOCK + "?student=staff")
    usage = staff.locator("[data-block-type=honorcode]").get_attribute("data-usage")
    published = []  # (title, display name, body) of each version, in order
    for number, batch in enumerate(batches(load_vectors()), 1):
        learner = f"xss-learner-{number}"
        hostile.handler(visitor, usage, "accept", learner, {"confirmed": True})  # accepts what is in force now
        for run in chunks(batch):
            short = " ".join(vector.marked for vector in run)
            markup = "\n".join(vector.marked for vector in run)
            title, display_name, lines = short[:SHORT_TEXT].strip(), short[:255].strip(), collaboration(run)
            published.append((title, display_name, markup))
            version = hostile.api(staff, "/api/honorcode/v1/policy-versions/", {
                "title": title, "body": markup, "change_kind": "material", "change_summary": markup})
            hostile.handler(staff, usage, "studio_submit", "staff", settings_payload(
                display_name=display_name, course_terms=markup, collaboration="\n".join(lines)))
            hostile.visit(staff, BLOCK + "?student=staff", "block student view", [
                Region("author: display name", ".honorcode-block > .hc-heading", expected=[display_name]),
                *pledge(".honorcode-block", title, markup, markup, lines),
            ])
            hostile.visit(visitor, f"/honorcode/v{version['number']}/", "the honor code page", [
                Region("operator: policy title", "title", expected=[title]),
                Region("operator: policy title", "main > h1", expected=[title]),
                Region("operator: change summary", "section[aria-labelledby=changes]", "html", [markup],
                       skip="#changes"),
                Region("operator: policy body", "section[aria-label]", "html", [markup]),
            ])

        title, display_name, markup = published[-1]  # in force now: the batch's last version and display name
        terms = "\n".join(vector.marked for vector in batch)
        lines = collaboration(batch)
        hostile.handler(staff, usage, "studio_submit", "staff", settings_payload(
            course_terms=terms, collaboration="\n".join(lines)))
        hostile.visit(staff, BLOCK + "studio_view/?student=staff", "Studio editor", [
            Region("author: display name", "input[name=display_name]", "value", [display_name]),
            Region("author: course terms", "textarea[name=course_terms]", "value", [clean_html(terms)]),
            Region("author: collaboration notes", "textarea[name=collaboration]", "value", ["\n".join(lines)]),
        ])
        editor = staff.locator(".honorcode-studio")
        editor.locator("textarea[name=collaboration]").fill("\n".join(vector.line for vector in batch))
        editor.get_by_role("button", name="Save").click()
        editor.locator("[id$=-collaboration-error]").filter(has_text="Line 1:").wait_for()
        hostile.inspect(staff, "Studio editor showing its errors", [
            Region("author: collaboration lines", "[id$=-collaboration-error]",
                   expected=[vector.line.partition("|")[0].strip()[:80] for vector in batch]),
            Region("author: collaboration lines", ".hc-error-summary"),
        ])
        hostile.visit(staff, BLOCK + "author_view/?student=staff", "Studio preview (author view)", [
            Region("author: display name", ".honorcode-block > .hc-heading", expected=[display_name]),
            *pledge(".honorcode-block", title, markup, terms, lines),
        ])
        hostile.visit(visitor, UNIT + f"?student={learner}", "course unit: change notice and gate placeholder", [
            # the notice tells what changed in the versions the learner agreed to by continuing: the newest here
            Region("operator: change summary", ".hc-change-notice .hc-text", "html", [markup]),
            *pledge(".honorcode-placeholder", title, markup, terms, lines),
            *pledge("[data-block-type=honorcode]", title, markup, terms, lines),
        ])

    hostile.visit(staff, "/api/honorcode/v1/policy-versions/", "policy versions API (browsable)", [
        Region("operator: policy title, policy body, change summary", ".response-info pre",
               expected=[vector.marker for vector in load_vectors()]),
    ])
    hostile.visit(staff, "/admin/honorcode/policyversion/?all=", "Django admin: honor code versions", [  # up to 200
        Region("operator: policy title", "#result_list tbody th", expected=[item[0] for item in published]),
    ])
    hostile.clean()


def test_staff_texts(hostile):
    """
    Course staff's cases: the case page, the forms shown again with their errors, the case list and the case API;
    then what the respondent reads: "My honor code record", the record API and the determination message.
    """
    staff = hostile.staff
    determined = []
    for batch in batches(load_vectors()):
        text = "\n".join(vector.marked for vector in batch)
        flat = " ".join(vector.line for vector in batch)
        case = hostile.api(staff, f"/api/honorcode/v1/courses/{COURSE}/cases/", {
            "respondents": [RESPONDENT[0]], "commitment": "no_posting_answers", "description": text})
        evidence = f"/api/honorcode/v1/cases/{case['id']}/evidence/"
        hostile.api(staff, evidence, multipart={"text": text})
        # the stored names: the server keeps what follows the last slash, and 200 characters
        names = [hostile.api(staff, evidence, multipart={"file": {
            "name": " ".join(vector.line for vector in run)[:FILE_NAME] + ".txt", "mimeType": "text/plain",
            "buffer": b"Forum post, copied.\n"}})["filename"] for run in chunks(batch, FILE_NAME)]
        case_page = f"/honorcode/cases/{case['id']}/"
        hostile.visit(staff, case_page + "determine/", "case page: the determination refused (no finding)", [
            Region("staff: rationale", "#rationale", "value", [text]),
            Region("staff: case description", "table pre.text", expected=[text]),
        ], form={"rationale": text, "sanctions": "other", "details_other": text, "expected_sequence": "1"})
        hostile.api(staff, f"/api/honorcode/v1/cases/{case['id']}/determination/", {
            "finding": "violation", "rationale": text, "sanctions": [{"kind": "other", "details": text}],
            "expected_sequence": 1})
        determined.append(text)
        hostile.visit(staff, case_page, "case page", [
            Region("staff: case description", "table pre.text", expected=[text]),
            Region("staff: evidence text, evidence file name", "#evidence-title + ul", expected=[text, *names]),
            Region("staff: rationale", "#determination-title ~ pre.text", expected=[text]),
            Region("staff: other sanction details", "#sanctions-title ~ table td:nth-child(2)", expected=[text]),
        ])
        hostile.visit(staff, f"/api/honorcode/v1/cases/{case['id']}/", "case API (browsable)", [
            Region("staff: case description, evidence text, evidence file name, rationale, other sanction details",
                   ".response-info pre", expected=[vector.marker for vector in batch]),
        ])
        new_case = f"/honorcode/courses/{COURSE}/cases/new/"
        form = {"respondents": flat, "commitment": "own_work", "usage_key": flat, "description": text,
                "conduct_at": flat}
        hostile.visit(staff, new_case, "new-case form shown again (conduct time refused)", [
            Region("staff: respondents", "#respondents", "value", [flat]),
            Region("staff: assignment", "#usage_key", "value", [flat]),
            Region("staff: conduct time", "#conduct_at", "value", [flat]),
            Region("staff: case description", "#description", "value", [text]),
        ], form=form)
        respondents = flat.replace(",", " ").split()[:MAX_RESPONDENTS]  # more are refused before any is looked up
        hostile.visit(staff, new_case, "new-case form shown again (unknown respondents and assignment)", [
            Region("staff: respondents, assignment", "[role=alert]",
                   expected=[", ".join(respondents[:10]), f"{flat} is not a block"]),
            Region("staff: respondents", "#respondents", "value", [" ".join(respondents)]),
        ], form={**form, "respondents": " ".join(respondents), "conduct_at": ""})
        hostile.visit(staff, f"/honorcode/courses/{COURSE}/cases/?" + urlencode({"status": flat, "respondent": flat}),
                      "case list with filters", [
                          Region("staff: case list filters", "[role=alert]", expected=[flat]),
                          Region("staff: case list filters", "input[name=respondent]", "value", [flat]),
                      ])

    learner = hostile.new_page()
    hostile.sign_in(learner, *RESPONDENT)
    hostile.visit(learner, "/honorcode/me/", "My honor code record", [
        Region("staff: rationale", "article.determination pre.text", expected=determined),
        Region("staff: other sanction details", "article.determination ul", expected=determined),
    ])
    hostile.visit(learner, "/api/honorcode/v1/me/record/", "record API (browsable)", [
        Region("staff: rationale, other sanction details", ".response-info pre",
               expected=[vector.marker for vector in load_vectors()]),
    ])
    hostile.visit(staff, "/demo/outbox/", "demo outbox (the messages' text)", [
        Region("staff: rationale, other sanction details", "article.message pre.text",
               expected=[line for text in determined for line in text.split("\n")]),
    ])
    messages = hostile.notice_messages()
    assert len(messages) == len(determined), f"{len(messages)} messages sent for {len(determined)} determinations"
    for number, message in enumerate(messages, 1):
        text = next(text for text in determined if text.split(" ", 1)[0] in message["text"])
        assert text in message["text"], f"message {number}'s text does not hold the rationale as entered"
        hostile.visit(learner, f"/hostile-xss-message-{number}/", "determination message (HTML)", [
            Region("staff: rationale", "dd", expected=text.split("\n")),  # its line breaks become <br>
            Region("staff: other sanction details", "ul li", expected=[text]),
        ], content=message["html"])
    hostile.clean()


def test_learner_signatures_in_the_django_admin(hostile):
    """
    The full names learners type in signature mode (accepted through the block's handler, as its JavaScript sends
    them), on the only page that shows them: the acceptance in the Django admin.
    """
    staff, visitor = hostile.staff, hostile.visitor
    hostile.where = "the block on its own"
    staff.goto(hostile.base + BLOCK + "?student=staff")
    usage = staff.locator("[data-block-type=honorcode]").get_attribute("data-usage")
    hostile.handler(staff, usage, "studio_submit", "staff", settings_payload(
        acceptance_mode="signature", course_terms="", collaboration=""))
    signatures = {}
    for number, run in enumerate(chunks(load_vectors(), SIGNATURE), 1):
        signature = " ".join(vector.line for vector in run)[:SIGNATURE].strip()
        if policy.signature_errors(signature):  # control or bidirectional characters: no name holds them
            hostile.handler(visitor, usage, "accept", f"xss-signer-{number}", {"signature": signature}, status=400)
            continue
        signatures[f"xss-signer-{number}"] = signature
        hostile.handler(visitor, usage, "accept", f"xss-signer-{number}", {"signature": signature})
    assert len(signatures) > 10  # most vectors are names no rule refuses: they must show as typed
    listed = staff.request.get(f"{hostile.base}/api/honorcode/v1/courses/{COURSE}/acceptances/?page_size=1000",
                               headers={"Accept": "application/json"}).json()["results"]
    for row in listed:
        if row["username"] in signatures:
            hostile.visit(staff, f"/admin/honorcode/acceptance/{row['id']}/change/", "Django admin: an acceptance", [
                Region("learner: signature", ".field-signature .readonly", expected=[signatures.pop(row["username"])]),
            ])
    assert not signatures, f"acceptances not listed: {sorted(signatures)}"
    hostile.clean()
