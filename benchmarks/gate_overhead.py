"""
Gate overhead: a unit of 20 graded problems rendered with the honor code gate on and off, side by side.

The unit is the demo's, which runs ``RenderXBlockStarted`` and ``VerticalBlockChildRenderStarted`` for itself and each
child exactly as the LMS does. "Off" runs the same filters with no pipeline configured (what an LMS without this
plugin does); "on" runs the plugin's pipeline for a gated course whose learner has accepted, so the full unit shows.
Renders alternate on/off so that drift hits both alike. Prints the time ratio (target <= 1.05) and the queries
(the gate's own: at most 1 on a cold cache, 0 warm).

The render's ratio is taken against the workbench's render (89 queries: it reads every field from its database),
which hides the gate's own cost. So the script also times the filter steps alone, in the same process and on the
same block objects: one request's ``RenderXBlockStarted.run_filter`` for the unit and
``VerticalBlockChildRenderStarted.run_filter`` for each of its children, run as the unit runs them (openedx-filters
reads the pipeline from the settings and runs its steps), with the plugin's pipeline and with none, alternating, a
warm cache, a new request cache for each pass and ``request.user`` set as in the LMS. What the gate adds to each
graded child is (on - off) / children, in microseconds (target <= 20 us); the queries of these passes alone are
the gate's (at most 1 cold, 0 warm).

    python benchmarks/gate_overhead.py [--rounds 300] [--step-rounds 3000]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HONORCODE_VAR_DIR", tempfile.mkdtemp(prefix="honorcode-bench-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "honorcode_demo.settings"

import django  # noqa: E402  pylint: disable=wrong-import-position

django.setup()

from crum import set_current_request  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
from django.contrib.auth import get_user_model  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
from django.core.cache import cache  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
from django.core.management import call_command  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
from django.db import connection  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
from django.test import RequestFactory, override_settings  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
from django.test.utils import CaptureQueriesContext  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
from edx_django_utils.cache import RequestCache  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
from opaque_keys.edx.keys import CourseKey  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
from openedx_filters.learning.filters import (  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
    RenderXBlockStarted,
    VerticalBlockChildRenderStarted,
)
from workbench.runtime import WorkbenchRuntime  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order

from honorcode_xblock import api  # noqa: E402  pylint: disable=wrong-import-position
from honorcode_xblock.settings.common import merge_filter_steps  # noqa: E402  pylint: disable=wrong-import-position

PROBLEMS = 20
LEARNER = "bench-learner"
UNIT_XML = (
    "<demo_subsection display_name='Graded' graded='true'><demo_unit display_name='Twenty problems'>"
    + "".join(f"<demo_problem question='Question {n}?' answer='{n}'/>" for n in range(PROBLEMS))
    + "</demo_unit></demo_subsection>"
)
GATE_ON = override_settings(OPEN_EDX_FILTERS_CONFIG=merge_filter_steps({}))
GATE_OFF = override_settings(OPEN_EDX_FILTERS_CONFIG={})
#: What the gate may add to each graded child of a unit (the filter steps, warm cache), in microseconds.
PER_CHILD_TARGET_US = 20


def setup():
    """A database, a gated course, a learner who accepted, and the unit."""
    call_command("migrate", run_syncdb=True, verbosity=0)
    users = get_user_model().objects
    author = users.get_or_create(username="bench-author", defaults={"is_staff": True})[0]
    learner = users.get_or_create(username=LEARNER)[0]
    course_key = CourseKey.from_string("course-v1:HonorCode+Demo+2026")
    api.save_course_settings(course_key, terms_html="", collaboration_text="", acceptance_mode="checkbox",
                             gate_graded_content=True, actor=author)
    api.accept(learner, course_key, confirmed=True)
    runtime = WorkbenchRuntime(LEARNER)
    runtime.id_generator.set_scenario("gate-benchmark")
    subsection = runtime.parse_xml_string(UNIT_XML)
    return runtime.get_block(subsection).children[0]


def render(unit_id):
    """One request: a fresh request cache, crum's request, the unit rendered for the learner."""
    RequestCache.clear_all_namespaces()
    set_current_request(RequestFactory().get("/", {"student": LEARNER}))
    fragment = WorkbenchRuntime(LEARNER).get_block(unit_id).render("student_view", {})
    set_current_request(None)
    return fragment


def queries(unit_id, toggle, cold):
    """(all queries, the gate's own: those on the honor code app's tables) for one render."""
    if cold:
        cache.clear()
    connection.queries_log.clear()
    with toggle, CaptureQueriesContext(connection) as captured:
        html = render(unit_id).content
    assert html.count("demo-problem") == PROBLEMS, "the unit did not show its problems"
    gate = [query for query in captured.captured_queries if "honorcode_" in query["sql"]]
    return len(captured.captured_queries), len(gate)


def step_blocks(unit_id):
    """The unit and its children, loaded once: every pass of the filter steps hands the same objects."""
    runtime = WorkbenchRuntime(LEARNER)
    unit = runtime.get_block(unit_id)
    return unit, [runtime.get_block(child_id) for child_id in unit.children]


def new_request(learner):
    """A new request, as the LMS has it when a unit renders: an empty request cache, crum's request, request.user."""
    RequestCache.clear_all_namespaces()
    request = RequestFactory().get("/")
    request.user = learner
    set_current_request(request)


def filter_steps(unit, children):
    """
    One request's filter steps, run as the demo's unit (and the LMS) runs them: ``RenderXBlockStarted`` for the unit
    (``courseware/views/views.py`` ``render_xblock``), then ``VerticalBlockChildRenderStarted`` for each child
    (``xmodule/vertical_block.py``). The context carries ``graded`` as the demo's unit passes it (Open edX's
    inherited field, already loaded). Returns (seconds of the unit's step, seconds of the children's).
    """
    started = time.perf_counter()
    _context, context = RenderXBlockStarted.run_filter(context={"block": unit, "course": None},
                                                      student_view_context={"graded": True})
    unit_done = time.perf_counter()
    for child in children:
        shown, _child_context = VerticalBlockChildRenderStarted.run_filter(block=child, context=dict(context))
        assert shown is child, "the gate withheld or wrapped a child of a learner who accepted"
    return unit_done - started, time.perf_counter() - unit_done


def step_queries(unit, children, learner, cold):
    """The queries of one pass of the filter steps with the plugin's pipeline (all of them are the gate's)."""
    if cold:
        cache.clear()
    with GATE_ON, CaptureQueriesContext(connection) as captured:
        new_request(learner)
        filter_steps(unit, children)
        set_current_request(None)
    return len(captured.captured_queries)


def time_filter_steps(unit, children, learner, rounds):
    """Medians in microseconds, alternating on/off: {"on"/"off": (whole pass, unit step, children's steps)}."""
    timings = {"off": [], "on": []}
    for round_number in range(rounds):
        order = (("off", GATE_OFF), ("on", GATE_ON)) if round_number % 2 else (("on", GATE_ON), ("off", GATE_OFF))
        for name, toggle in order:
            with toggle:
                new_request(learner)
                unit_seconds, children_seconds = filter_steps(unit, children)
                set_current_request(None)
            timings[name].append((unit_seconds + children_seconds, unit_seconds, children_seconds))
    return {
        name: tuple(statistics.median(sample[part] for sample in samples) * 1e6 for part in range(3))
        for name, samples in timings.items()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300, help="renders of the unit, each of gate on and off")
    parser.add_argument("--step-rounds", type=int, default=3000,
                        help="passes of the filter steps alone, each of gate on and off")
    args = parser.parse_args()
    unit_id = setup()
    learner = get_user_model().objects.get(username=LEARNER)
    unit, children = step_blocks(unit_id)
    for toggle in (GATE_OFF, GATE_ON, GATE_OFF, GATE_ON):  # warm the imports, templates and caches
        with toggle:
            render(unit_id)

    timings = {"off": [], "on": []}
    for round_number in range(args.rounds):
        order = (("off", GATE_OFF), ("on", GATE_ON)) if round_number % 2 else (("on", GATE_ON), ("off", GATE_OFF))
        for name, toggle in order:
            with toggle:
                started = time.perf_counter()
                render(unit_id)
                timings[name].append(time.perf_counter() - started)

    off, on = statistics.median(timings["off"]), statistics.median(timings["on"])
    counts = {
        (name, temperature): queries(unit_id, toggle, cold=temperature == "cold")
        for temperature in ("cold", "warm") for name, toggle in (("off", GATE_OFF), ("on", GATE_ON))
    }
    step_counts = {temperature: step_queries(unit, children, learner, cold=temperature == "cold")
                   for temperature in ("cold", "warm")}
    for _ in range(20):  # warm the filters' imports and the cache files' pages before timing
        for toggle in (GATE_OFF, GATE_ON):
            with toggle:
                new_request(learner)
                filter_steps(unit, children)
                set_current_request(None)
    steps = time_filter_steps(unit, children, learner, args.step_rounds)
    per_child = (steps["on"][0] - steps["off"][0]) / len(children)

    print(f"unit of {PROBLEMS} graded problems, {args.rounds} renders each, gate on and off alternating")
    print(f"median render: gate off {off * 1000:.2f} ms, gate on {on * 1000:.2f} ms")
    print(f"time ratio gate-on / gate-off: {on / off:.3f} (target <= 1.05)")
    for temperature in ("cold", "warm"):
        (off_all, _), (on_all, on_gate) = counts[("off", temperature)], counts[("on", temperature)]
        print(f"queries, {temperature} cache: gate off {off_all}, gate on {on_all} "
              f"(the gate's own, on the honor code tables: {on_gate})")
    print("(any other extra query is the standalone platform finding the ?student= user: the LMS has request.user)")
    print(f"filter steps alone (RenderXBlockStarted for the unit, VerticalBlockChildRenderStarted for each of its "
          f"{len(children)} children), {args.step_rounds} passes each, on and off alternating, warm cache, "
          f"median us per pass:")
    for name in ("off", "on"):
        whole, unit_step, children_steps = steps[name]
        print(f"  gate {name}: {whole:.1f} us (the unit's step {unit_step:.1f} us, the children's "
              f"{children_steps:.1f} us, {children_steps / len(children):.2f} us each)")
    print(f"the gate's cost per graded child: {per_child:.2f} us (target <= {PER_CHILD_TARGET_US} us); "
          f"the unit's step adds {steps['on'][1] - steps['off'][1]:.1f} us once per request, each child's "
          f"{(steps['on'][2] - steps['off'][2]) / len(children):.2f} us")
    print(f"queries of the filter steps alone: cold cache {step_counts['cold']}, warm {step_counts['warm']}")
    gate_cold, gate_warm = counts[("on", "cold")][1], counts[("on", "warm")][1]
    ok = (on / off <= 1.05 and gate_cold <= 1 and gate_warm == 0 and per_child <= PER_CHILD_TARGET_US
          and step_counts["cold"] <= 1 and step_counts["warm"] == 0)
    print("within targets" if ok else "OUTSIDE TARGETS")
    return 0 if ok else 3  # outside the targets (1: the script failed)


if __name__ == "__main__":
    sys.exit(main())
