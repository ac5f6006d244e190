"""
The honor code's rules on their own (``policy.py``): pure functions and constants, judged without a database, a
platform or a request. How the domain applies them is in the tests of each domain module (``tests/test_gate.py``,
``tests/test_acceptances.py``, ``tests/test_courses.py``, ``tests/test_cases.py``).
"""
from types import SimpleNamespace

import pytest

from honorcode_xblock import policy
from honorcode_xblock.models import Acceptance, Case, CaseStatus

from .helpers import COURSE_KEY, OTHER_COURSE_KEY, usage_key

PROJECT = str(usage_key("problem", "project"))
LAB = str(usage_key("openassessment", "lab"))


class TestChangeRule:
    @pytest.mark.parametrize("current, material, explicit, reaccept, satisfied", [
        (None, None, None, True, True),     # nothing published: nothing to accept
        (1, 1, None, True, False),          # never accepted
        (1, 1, 1, True, True),
        (2, 1, 1, True, True),              # a minor change never gates again
        (3, 3, 1, True, False),             # a material change gates until accepted explicitly
        (3, 3, 1, False, True),             # ... unless the course turned re-acceptance off
        (3, 3, 3, True, True),
        (4, 3, 3, True, True),
    ])
    def test_gate_rule(self, current, material, explicit, reaccept, satisfied):
        assert policy.gate_satisfied(
            current_number=current, last_material_number=material, best_explicit_number=explicit,
            reaccept_after_material_change=reaccept) is satisfied

    @pytest.mark.parametrize("accepted_current, explicit, reaccept, covered", [
        (False, 3, True, False),    # the versions in force not accepted (e.g. new course terms), whatever came before
        (True, 3, True, True),      # accepted explicitly
        (True, 2, True, True),      # minor version 3 agreed to by continued use after accepting 2 explicitly
        (True, 1, True, False),     # continued use alone does not agree to the material version 2 ...
        (True, 1, False, True),     # ... unless the course turned re-acceptance off
        (True, None, True, False),  # never accepted explicitly
    ])
    def test_the_versions_in_force_are_covered_where_the_change_rule_lets_the_acceptance_stand(
            self, accepted_current, explicit, reaccept, covered):
        """Version 3 is in force; version 2 was the last material change."""
        assert policy.covers_versions_in_force(
            accepted_current=accepted_current, current_number=3, last_material_number=2, best_explicit_number=explicit,
            reaccept_after_material_change=reaccept) is covered

    @pytest.mark.parametrize("accepted_any, accepted_current, needed", [
        (False, False, False),  # never accepted: continuing agrees to nothing, the learner must accept explicitly
        (True, False, True),    # accepted an earlier version: continuing agrees to the versions in force
        (True, True, False),    # the versions in force are accepted already
    ])
    def test_continued_use_counts_only_for_a_learner_who_accepted_before(self, accepted_any, accepted_current, needed):
        assert policy.needs_continued_access(accepted_any=accepted_any, accepted_current=accepted_current) is needed


class TestTermsChanged:
    ENTRY = {"usage_key": PROJECT, "note": "Teams of three"}

    @pytest.mark.parametrize("body, collaboration, changed", [
        ("", [], False),                # nothing to version
        ("<p>Terms</p>", [], True),
        ("", [ENTRY], True),
    ])
    def test_a_course_without_terms_gets_its_first_version_only_for_something_to_accept(
            self, body, collaboration, changed):
        assert policy.terms_changed(None, body, collaboration) is changed

    @pytest.mark.parametrize("body, collaboration, changed", [
        ("<p>Terms</p>", [ENTRY], False),
        ("<p>Terms</p>", (ENTRY,), False),  # the same entries, whatever the sequence
        ("<p>Other terms</p>", [ENTRY], True),
        ("<p>Terms</p>", [], True),
        ("<p>Terms</p>", [{**ENTRY, "note": "Teams of two"}], True),
    ])
    def test_new_terms_are_versioned_only_when_the_text_or_the_collaboration_changes(
            self, body, collaboration, changed):
        current = SimpleNamespace(body="<p>Terms</p>", collaboration=[self.ENTRY])
        assert policy.terms_changed(current, body, collaboration) is changed


class TestSignature:
    @pytest.mark.parametrize("signature", [
        "Ab",                                           # the shortest name: two letters
        "x" * policy.MAX_SIGNATURE_LENGTH,              # the longest
        "  Grace Hopper  ",                             # judged without the spaces around it
        "Zoe\u0308 Ng",                                 # a combining mark counts as part of a letter
        "O'Neil-Smith Jr.",
    ])
    def test_acceptable_names(self, signature):
        assert policy.signature_errors(signature) == []

    @pytest.mark.parametrize("signature, message", [
        (None, "Type your full name"),
        ("A", "Type your full name"),
        ("A 1 2 3", "Type your full name"),             # one letter however long
        ("x" * (policy.MAX_SIGNATURE_LENGTH + 1), "at most 255 characters"),
        ("Grace\u2067 Hopper", "control or invisible characters"),  # a bidirectional isolate
        ("Grace\u202d Hopper", "control or invisible characters"),  # a bidirectional override
        ("Grace\tHopper", "control or invisible characters"),
        ("Grace\ue000Hopper", "control or invisible characters"),   # private use
        ("Grace\u0378Hopper", "control or invisible characters"),   # unassigned
    ])
    def test_one_message_for_what_is_wrong(self, signature, message):
        (error,) = policy.signature_errors(signature)
        assert message in error


class TestCollaboration:
    def test_the_text_form_reads_back_as_the_same_entries(self):
        entries = [policy.CollaborationPermission(PROJECT, "Teams of three | at most"),
                   policy.CollaborationPermission(LAB)]
        text = policy.format_collaboration([entry.as_dict() for entry in entries])
        assert text == f"{PROJECT} | Teams of three | at most\n{LAB}"
        assert policy.parse_collaboration(text, COURSE_KEY) == (entries, [])

    def test_the_authors_text_reads_back_tidied(self):
        entries, errors = policy.parse_collaboration(f"\n  {PROJECT}  |  Teams of three  \n\n{LAB} |\n")
        assert errors == []
        assert policy.format_collaboration([entry.as_dict() for entry in entries]) == (
            f"{PROJECT} | Teams of three\n{LAB}")

    @pytest.mark.parametrize("entries", [None, []])
    def test_nothing_listed_is_an_empty_text(self, entries):
        assert policy.format_collaboration(entries) == ""
        assert policy.parse_collaboration("") == ([], [])

    @pytest.mark.parametrize("text, message, kept", [
        ("not-a-key", 'Line 1: "not-a-key" is not a usage key.', []),
        (f"\n\n{PROJECT}\nnot-a-key", 'Line 4: "not-a-key" is not a usage key.', [PROJECT]),  # the author's lines
        ("b" * (policy.MAX_USAGE_KEY_LENGTH + 1), "a usage key is at most 255 characters", []),
        (str(usage_key("problem", "x", OTHER_COURSE_KEY)), "belongs to another course", []),
        (f"{PROJECT}\n{PROJECT} | again", f"Line 2: {PROJECT} is listed twice.", [PROJECT]),
        (f"{PROJECT} | {'n' * (policy.MAX_NOTE_LENGTH + 1)}", "Line 1: the note is longer than 500 characters.", []),
    ], ids=["not-a-key", "numbered-as-written", "key-too-long", "another-course", "listed-twice", "note-too-long"])
    def test_each_wrong_line_is_named_and_the_others_read(self, text, message, kept):
        entries, errors = policy.parse_collaboration(text, COURSE_KEY)
        assert len(errors) == 1 and message in errors[0]
        assert [entry.usage_key for entry in entries] == kept

    def test_any_course_where_none_is_named(self):
        other = str(usage_key("problem", "x", OTHER_COURSE_KEY))
        assert policy.parse_collaboration(other) == ([policy.CollaborationPermission(other)], [])

    def test_a_list_too_long_is_refused_as_a_whole(self):
        keys = [str(usage_key("problem", f"p{number}")) for number in range(policy.MAX_COLLABORATION_ENTRIES + 1)]
        assert len(policy.parse_collaboration("\n".join(keys[:-1]), COURSE_KEY)[0]) == policy.MAX_COLLABORATION_ENTRIES
        entries, errors = policy.parse_collaboration("\n".join(keys), COURSE_KEY)
        assert entries == [] and errors == ["List at most 200 assignments (found 201)."]

    def test_the_longest_note_is_kept(self):
        note = "n" * policy.MAX_NOTE_LENGTH
        assert policy.parse_collaboration(f"{PROJECT} | {note}", COURSE_KEY) == (
            [policy.CollaborationPermission(PROJECT, note)], [])


class TestCaseTransitions:
    def test_every_status_has_its_moves(self):
        assert set(policy.CASE_TRANSITIONS) == set(CaseStatus)
        for status, moves in policy.CASE_TRANSITIONS.items():
            assert moves and moves <= set(CaseStatus) and status not in moves, status

    def test_a_determination_is_not_a_status_move(self):
        assert not any(CaseStatus.DETERMINED in moves for moves in policy.CASE_TRANSITIONS.values())

    def test_a_decided_or_closed_case_is_reopened_under_review(self):
        for status in (CaseStatus.DETERMINED, CaseStatus.CLOSED):
            assert CaseStatus.UNDER_REVIEW in policy.CASE_TRANSITIONS[status]
        assert policy.CASE_TRANSITIONS[CaseStatus.CLOSED] == {CaseStatus.UNDER_REVIEW}  # and to nothing else


class TestLimits:
    def test_the_case_limits(self):
        """The limits the domain, the forms and the REST API's schema share (tests/test_hostile_http.py tries them)."""
        assert (policy.MAX_TEXT_LENGTH, policy.MAX_RESPONDENTS) == (20_000, 50)

    def test_what_is_accepted_fits_where_it_is_stored(self):
        assert policy.MAX_SIGNATURE_LENGTH == Acceptance._meta.get_field("signature").max_length
        assert policy.MAX_USAGE_KEY_LENGTH == Case._meta.get_field("usage_key").max_length
        assert policy.MIN_SIGNATURE_LENGTH < policy.MAX_SIGNATURE_LENGTH


class TestRoles:
    def test_the_course_team_and_limited_staff_are_exempt_from_the_gate_and_no_one_else(self):
        assert policy.GATE_EXEMPT_ROLES == {policy.TEAM, policy.LIMITED_STAFF}
        assert policy.TEAM != policy.LIMITED_STAFF
        assert "" not in policy.GATE_EXEMPT_ROLES  # a learner, who has no role on the course team
