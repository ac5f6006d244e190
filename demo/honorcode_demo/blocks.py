"""
The demo course's own blocks: a course, subsections (graded or not), units and a small graded problem.

The unit renders the way the LMS does: it runs ``RenderXBlockStarted`` as ``render_xblock`` does for the learning
MFE's unit iframe, then ``VerticalBlockChildRenderStarted`` for each child as the LMS ``VerticalBlock`` does, so
the honor code gate's pipeline steps run here exactly as they do in Open edX.
"""
from django.utils.html import escape
from openedx_filters.learning.filters import RenderXBlockStarted, VerticalBlockChildRenderStarted
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Boolean, Float, Integer, Scope, String

COURSE_XML = """
<demo_course display_name="Honor code demo course" showanswer="finished">
  <demo_subsection display_name="Week 1: Welcome" graded="false">
    <demo_unit display_name="Before you start">
      <honorcode display_name="Honor Code"/>
      <html_demo><h4>Reading (ungraded)</h4><p>How the course is organised. This page is not graded.</p></html_demo>
    </demo_unit>
  </demo_subsection>
  <demo_subsection display_name="Quiz 1" graded="true">
    <demo_unit display_name="Quiz 1 questions">
      <demo_problem question="What is 2 + 3?" answer="5" showanswer="attempted"/>
      <demo_problem question="What is the capital of France?" answer="Paris" max_attempts="2"/>
    </demo_unit>
  </demo_subsection>
</demo_course>
"""


def _render_children(block, context, wrapper="div"):
    fragment = Fragment()
    parts = []
    for child_id in block.children:
        child = block.runtime.get_block(child_id)
        rendered = child.render("student_view", dict(context or {}))
        fragment.add_fragment_resources(rendered)
        parts.append(rendered.content)
    fragment.add_content(f"<{wrapper}>{''.join(parts)}</{wrapper}>")
    return fragment


class DemoCourse(XBlock):
    """The demo course: its subsections in order."""

    has_children = True
    display_name = String(default="Honor code demo course", scope=Scope.settings)
    # The course-wide defaults of Open edX's Advanced Settings, which its problems inherit unless they set their own.
    showanswer = String(default="finished", scope=Scope.settings)
    max_attempts = Integer(default=None, scope=Scope.settings)

    def student_view(self, context=None):
        return _render_children(self, context, wrapper="div class='demo-course'")

    @staticmethod
    def workbench_scenarios():
        return [("Honor code: demo course (pledge, ungraded reading, graded quiz)", COURSE_XML)]


class DemoSubsection(XBlock):
    """A subsection; ``graded`` is what Open edX's subsections carry and their content inherits."""

    has_children = True
    display_name = String(default="Subsection", scope=Scope.settings)
    graded = Boolean(default=False, scope=Scope.settings)

    def student_view(self, context=None):
        inner = _render_children(self, context)
        label = "Graded" if self.graded else "Not graded"
        fragment = Fragment(
            f"<section class='demo-subsection' aria-label='{escape(self.display_name)}'>"
            f"<h2>{escape(self.display_name)} <small>({label})</small></h2>{inner.content}</section>"
        )
        fragment.add_fragment_resources(inner)
        return fragment


class DemoUnit(XBlock):
    """A unit, rendered through the same openedx-filters as the LMS's unit iframe and vertical."""

    has_children = True
    display_name = String(default="Unit", scope=Scope.settings)

    def student_view(self, context=None):
        # What Open edX's inheritance gives every block: whether its subsection is graded, read once per unit.
        context = {**(context or {}), "graded": self._subsection_graded()}
        try:
            _context, context = RenderXBlockStarted.run_filter(context={"block": self, "course": None},
                                                              student_view_context=context)
        except RenderXBlockStarted.RenderCustomResponse as exc:
            return Fragment(f"<div class='demo-unit'><h3>{escape(self.display_name)}</h3>{exc.response}</div>")
        except RenderXBlockStarted.PreventXBlockBlockRender:
            return Fragment("<p>This unit cannot be shown.</p>")
        fragment = Fragment()
        parts = []
        for child_id in self.children:
            child = self.runtime.get_block(child_id)
            try:
                child, child_context = VerticalBlockChildRenderStarted.run_filter(block=child, context=dict(context))
            except VerticalBlockChildRenderStarted.PreventChildBlockRender:
                continue
            rendered = child.render("student_view", child_context)
            fragment.add_fragment_resources(rendered)
            parts.append(rendered.content)
        fragment.add_content(f"<div class='demo-unit'><h3>{escape(self.display_name)}</h3>{''.join(parts)}</div>")
        return fragment

    def _subsection_graded(self):
        parent = self.get_parent()
        return bool(getattr(parent, "graded", False))


PROBLEM_JS = """
function DemoProblem(runtime, element) {
    var host = element.jquery ? element[0] : element;
    var form = host.querySelector('form');
    var result = host.querySelector('.demo-result');
    form.addEventListener('submit', function (event) {
        event.preventDefault();
        var token = (document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/) || [])[1] || '';
        fetch(runtime.handlerUrl(host, 'submit'), {
            method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': decodeURIComponent(token)},
            body: JSON.stringify({answer: form.querySelector('input').value})
        }).then(function (response) {
            return response.json().then(function (body) {
                result.textContent = response.ok ? (body.correct ? 'Correct.' : 'Not quite.') : body.error;
            });
        });
    });
}
"""


class DemoProblem(XBlock):
    """A one-question graded problem: the kind of content the gate withholds and whose submissions it refuses."""

    has_score = True
    question = String(default="What is 2 + 3?", scope=Scope.content)
    answer = String(default="5", scope=Scope.content)
    weight = Float(default=1.0, scope=Scope.settings)
    # When the learner may see the answer, and how often they may submit: Open edX's capa fields of the same names.
    showanswer = String(default="finished", scope=Scope.settings)
    max_attempts = Integer(default=None, scope=Scope.settings)
    last_answer = String(default="", scope=Scope.user_state)

    def student_view(self, context=None):
        field_id = f"demo-answer-{abs(hash(str(self.scope_ids.usage_id)))}"
        fragment = Fragment(
            f"<div class='demo-problem'><form><label for='{field_id}'>{escape(self.question)}</label> "
            f"<input id='{field_id}' name='answer' value='{escape(self.last_answer)}'> "
            f"<button type='submit'>Submit</button></form><p class='demo-result' role='status'></p></div>"
        )
        fragment.add_javascript(PROBLEM_JS)
        fragment.initialize_js("DemoProblem")
        return fragment

    @XBlock.json_handler
    def submit(self, data, suffix=""):
        """Check an answer and publish the grade."""
        answer = str(data.get("answer", "")) if isinstance(data, dict) else ""
        self.last_answer = answer[:200]
        correct = answer.strip().lower() == self.answer.strip().lower()
        self.runtime.publish(self, "grade", {"value": 1.0 if correct else 0.0, "max_value": 1.0})
        return {"correct": correct}
