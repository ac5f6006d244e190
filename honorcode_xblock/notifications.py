"""
The message a respondent gets when a case about them is determined: the finding, the commitment, each action and
that no refund is issued. Rendered here, sent by the platform (edx-ace in the LMS, Django's email elsewhere).
"""
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import translation

from honorcode_xblock import links
from honorcode_xblock.models import Commitment, Finding, SanctionKind

TEMPLATE_DIR = "honorcode_xblock/email"


@dataclass(frozen=True)
class NotificationMessage:
    """One rendered message."""

    subject: str
    text: str
    html: str
    context: dict = field(default_factory=dict)


def context_for(determination, user, sanctions, course_name=""):
    """
    What the message says, as plain values (also the edx-ace message context).

    Arguments:
        determination: the ``Determination``.
        user: the respondent the message goes to.
        sanctions: that respondent's sanctions of the determination.
    """
    case = determination.case
    return {
        "username": user.username,
        "course_key": str(case.course_key),
        "course_name": course_name or str(case.course_key),
        "case_id": case.pk,
        "finding": determination.finding,
        "finding_label": str(Finding(determination.finding).label),
        "violation": determination.finding == Finding.VIOLATION,
        "commitment": str(Commitment(case.commitment).label),
        "rationale": determination.rationale,
        "decided_at": determination.decided_at.isoformat(),
        "policy_version": case.policy_version.number,
        "policy_url": links.policy_url(case.policy_version.number, absolute=True),
        "actions": [
            {"kind": sanction.kind, "label": str(SanctionKind(sanction.kind).label), "details": sanction.details}
            for sanction in sanctions
        ],
        "record_url": links.record_url(absolute=True),
    }


def render(context, language=None):
    """Render the subject and both bodies of a determination message from its context."""
    with translation.override(language or translation.get_language()):
        subject = " ".join(render_to_string(f"{TEMPLATE_DIR}/determination_subject.txt", context).split())
        text = render_to_string(f"{TEMPLATE_DIR}/determination_body.txt", context)
        html = render_to_string(f"{TEMPLATE_DIR}/determination_body.html", context)
    return NotificationMessage(subject=subject, text=text, html=html, context=context)
