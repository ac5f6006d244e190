"""
The honor code's rules, as pure functions and constants: no database, no platform, no request. This is where each
rule has its one definition:

- which version is in force at a moment: the highest-numbered version published by then. It is a query over many
  rows, so its one definition is ``PolicyVersionQuerySet.in_force_at`` in :mod:`honorcode_xblock.models`; the version
  in force now (``current``) and the gate's query are built on it;
- the change rule: which acceptances let a learner see graded content (:func:`gate_satisfied`), when using the
  course after a change is an agreement to it (:func:`needs_continued_access`), and when a learner's acceptances
  count as accepting the versions in force (:func:`covers_versions_in_force`). The facts they judge are gathered by
  one query, ``AcceptanceQuerySet.gate_facts``, for the gate and the learner's record alike;
- what an author's settings and a learner's signature must look like;
- how a case moves (``CASE_TRANSITIONS``) and its limits (``MAX_TEXT_LENGTH``, ``MAX_RESPONDENTS``);
- who on a course team does what (``TEAM``, ``LIMITED_STAFF``);
- which "Show Answer" settings let a learner reveal an answer while they can still submit one
  (:func:`reveals_answer_while_open`).

What each sanction does, and who may impose it, is in :mod:`honorcode_xblock.sanctions`. The domain modules
(:mod:`honorcode_xblock.domain`) apply these rules.
"""
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey

from honorcode_xblock.models import CaseStatus

#: The most assignments a course may list as permitting collaboration.
MAX_COLLABORATION_ENTRIES = 200
#: The longest note an author may attach to one collaboration permission.
MAX_NOTE_LENGTH = 500
#: The longest course terms text, in characters, before sanitizing.
MAX_TERMS_LENGTH = 50_000
#: The longest policy text, in characters, before sanitizing.
MAX_POLICY_LENGTH = 200_000
#: The longest display name of the block.
MAX_DISPLAY_NAME_LENGTH = 255
#: Bounds of a typed signature (a learner's full name).
MIN_SIGNATURE_LENGTH = 2
MAX_SIGNATURE_LENGTH = 255
#: The longest usage key an author or staff may name (as the case's column; opaque keys have no bound of their own).
MAX_USAGE_KEY_LENGTH = 255
#: Characters a typed name may not hold although Unicode calls them format characters: the bidirectional overrides
#: and isolates, which make a name read differently from what it is.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class CollaborationPermission:
    """One assignment (by usage key) on which the course permits collaboration, with the author's note."""

    usage_key: str
    note: str = ""

    def as_dict(self):
        """The JSON form stored with the course terms."""
        return {"usage_key": self.usage_key, "note": self.note}


def parse_collaboration(text, course_key=None):
    """
    Parse the Studio field that lists assignments permitting collaboration.

    Each non-empty line is ``<usage key>`` or ``<usage key> | <note>``.

    Arguments:
        text (str): the author's text.
        course_key (CourseKey or None): when given, every usage key must belong to this course.

    Returns:
        (list of CollaborationPermission, list of error messages); the list of errors is empty when valid.
    """
    entries, errors, seen = [], [], set()
    lines = [(number, line.strip()) for number, line in enumerate((text or "").splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    if len(lines) > MAX_COLLABORATION_ENTRIES:
        errors.append(_("List at most {limit} assignments (found {count}).").format(
            limit=MAX_COLLABORATION_ENTRIES, count=len(lines)))
        return [], errors
    for number, line in lines:
        raw_key, _sep, note = (part.strip() for part in line.partition("|"))
        if len(raw_key) > MAX_USAGE_KEY_LENGTH:
            errors.append(_('Line {line}: "{value}" is not a usage key: a usage key is at most {limit} characters.')
                          .format(line=number, value=raw_key[:80], limit=MAX_USAGE_KEY_LENGTH))
            continue
        try:
            usage_key = UsageKey.from_string(raw_key)
        except InvalidKeyError:
            errors.append(_(
                'Line {line}: "{value}" is not a usage key. Copy the assignment\'s usage key from Studio, '
                'e.g. block-v1:Org+Course+Run+type@problem+block@1a2b3c.'
            ).format(line=number, value=raw_key[:80]))
            continue
        if isinstance(course_key, CourseKey) and usage_key.course_key.for_branch(None) != course_key.for_branch(None):
            errors.append(_("Line {line}: {key} belongs to another course.").format(line=number, key=usage_key))
            continue
        if str(usage_key) in seen:
            errors.append(_("Line {line}: {key} is listed twice.").format(line=number, key=usage_key))
            continue
        if len(note) > MAX_NOTE_LENGTH:
            errors.append(_("Line {line}: the note is longer than {limit} characters.").format(
                line=number, limit=MAX_NOTE_LENGTH))
            continue
        seen.add(str(usage_key))
        entries.append(CollaborationPermission(str(usage_key), note))
    return entries, errors


def format_collaboration(entries):
    """The Studio text form of stored collaboration entries (the inverse of :func:`parse_collaboration`)."""
    lines = []
    for entry in entries or []:
        note = entry.get("note") or ""
        lines.append(f"{entry['usage_key']} | {note}" if note else entry["usage_key"])
    return "\n".join(lines)


def signature_errors(signature):
    """
    Check a typed full name given in signature mode.

    Returns:
        list of error messages, empty when the signature is acceptable.
    """
    value = (signature or "").strip()
    if len(value) > MAX_SIGNATURE_LENGTH:
        return [_("Your full name must be at most {limit} characters.").format(limit=MAX_SIGNATURE_LENGTH)]
    if any(unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") or char in BIDI_CONTROLS for char in value):
        return [_("Type your full name with letters only: it holds control or invisible characters.")]
    letters = sum(1 for char in value if unicodedata.category(char)[0] in "LM")
    if letters < MIN_SIGNATURE_LENGTH:
        return [_("Type your full name to sign the honor code.")]
    return []


def covers_versions_in_force(*, accepted_current, **change_rule_facts):
    """
    Whether a learner's acceptances count as their acceptance of the versions in force now: they accepted the current
    policy and course terms (explicitly or by continued use), and the change rule lets that stand
    (:func:`gate_satisfied`, with ``change_rule_facts`` its arguments): after a material change, an agreement by
    continued use alone does not.
    """
    return bool(accepted_current) and gate_satisfied(**change_rule_facts)


def terms_changed(current_terms, body, collaboration):
    """Whether saving ``body`` and ``collaboration`` would make a new version of the course terms."""
    if current_terms is None:
        return bool(body) or bool(collaboration)
    return current_terms.body != body or list(current_terms.collaboration) != list(collaboration)


def gate_satisfied(*, current_number, last_material_number, best_explicit_number, reaccept_after_material_change):
    """
    Whether a learner may see and submit graded content in a gated course.

    The change rule: a learner who explicitly accepted some version agrees to later versions by continuing to use
    the site, so a minor change never gates them again. A material change gates them until they accept the new
    version explicitly, unless the course turned that off.

    Arguments:
        current_number (int or None): the version in force (None: nothing published, nothing to accept).
        last_material_number (int or None): the newest published material version.
        best_explicit_number (int or None): the newest version the learner accepted explicitly in this course.
        reaccept_after_material_change (bool): the course's setting.
    """
    if current_number is None:
        return True
    if best_explicit_number is None:
        return False
    if reaccept_after_material_change and last_material_number and best_explicit_number < last_material_number:
        return False
    return True


def needs_continued_access(*, accepted_any, accepted_current):
    """
    Whether to record the learner's agreement, by continued use, to the versions in force now.

    Only a learner who accepted an earlier version agrees by continuing; one who never accepted has agreed to
    nothing and must accept explicitly.
    """
    return bool(accepted_any) and not accepted_current


# --- who does what on the course team -------------------------------------------------------------------------------

#: A course's team: staff, instructors and global staff. They see the acceptance counts, work on cases (which hold
#: other learners' personal data and decide sanctions on grades, certificates and enrollments) and, with Studio
#: access, edit the honor code settings.
TEAM = "team"
#: The course's limited staff: course staff in the courseware without Studio access. The platform gives them neither
#: the certificates nor the data-download tools of the instructor dashboard, so they do not work on cases or edit
#: settings here either, in any door; like the rest of the course team they see graded content without accepting.
LIMITED_STAFF = "limited"
#: The roles the gate exempts (when the course exempts staff).
GATE_EXEMPT_ROLES = frozenset({TEAM, LIMITED_STAFF})


# --- cases ------------------------------------------------------------------------------------------------------------

#: Longest description, evidence text, note or rationale accepted, in characters.
MAX_TEXT_LENGTH = 20000
#: Most respondents in one case (a master account and its harvesters are one case).
MAX_RESPONDENTS = 50
#: How a case may move by an explicit status change (a determination moves it to "determined"; reopening a determined
#: or closed case puts it under review again, and is recorded as its own event).
CASE_TRANSITIONS = {
    CaseStatus.OPEN: frozenset({CaseStatus.UNDER_REVIEW, CaseStatus.CLOSED}),
    CaseStatus.UNDER_REVIEW: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED}),
    CaseStatus.DETERMINED: frozenset({CaseStatus.CLOSED, CaseStatus.UNDER_REVIEW}),
    CaseStatus.CLOSED: frozenset({CaseStatus.UNDER_REVIEW}),
}


# --- prevention: which "Show Answer" settings let a learner see the answer while they can still submit -------------

#: The attempts a learner must have made before each ``showanswer`` value shows the answer, where the value shows it
#: while the problem is open (before its due date and its last attempt). The values missing here show the answer only
#: once the learner can no longer submit (``closed``, ``finished``, ``past_due``, ``after_all_attempts``,
#: ``after_all_attempts_or_correct``), only once their own answer is correct (``answered``, ``correct_or_past_due``),
#: or never (``never``, ""). Read from openedx-platform ``xmodule/capa_block.py`` ``_BuiltInProblemBlock.
#: answer_available`` @ 09b3dcc (``SHOWANSWER``; the same in openedx/xblocks-contrib ``xblocks_contrib/problem``).
SHOWANSWER_ATTEMPTS_NEEDED = {
    "always": 0,
    "attempted": 1,  # "Attempted or Past Due": ``is_attempted() or is_past_due()``
    "attempted_no_past_due": 1,  # "Attempted": ``is_attempted()``
    "after_attempts": None,  # ``attempts_before_showanswer_button``, at most ``max_attempts``
}
#: ``show_correctness`` values that withhold the answer before the due date (``answer_available`` is False whenever
#: ``correctness_available`` is).
CORRECTNESS_WITHHELD = frozenset({"never", "past_due"})


def reveals_answer_while_open(showanswer, max_attempts, attempts_before_showanswer=0, show_correctness="always"):
    """
    Whether a problem's settings let a learner reveal its answer while they can still submit one (before the due
    date, with attempts left): the setting that makes harvesting answers with a second account possible.

    Northcutt, Ho and Chuang (2016) recommend showing answers only after the due date or once every attempt is used:
    a learner who can still submit must not be able to reveal the answer.

    Arguments:
        showanswer (str): the problem's ``showanswer`` (inherited from the course's Advanced Settings unless set).
        max_attempts (int or None): the problem's ``max_attempts`` (None: unlimited).
        attempts_before_showanswer (int): ``attempts_before_showanswer_button`` (for ``after_attempts``).
        show_correctness (str): the problem's ``show_correctness``.
    """
    if showanswer not in SHOWANSWER_ATTEMPTS_NEEDED or show_correctness in CORRECTNESS_WITHHELD:
        return False
    needed = SHOWANSWER_ATTEMPTS_NEEDED[showanswer]
    if needed is None:  # after_attempts: as answer_available clamps it
        needed = max(0, int(attempts_before_showanswer or 0))
        if max_attempts and needed >= max_attempts:
            needed = max_attempts
    return max_attempts is None or needed < max_attempts
