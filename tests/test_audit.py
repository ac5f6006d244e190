"""
The hash-chained audit trail (``audit.py``): every change is chained and verifies, an edited or removed event is
named, changes that race chain one after the other; and the openedx-events the domain sends (``events.py``).
"""
import pytest
from django.core.management import CommandError, call_command

from honorcode_xblock import api, events
from honorcode_xblock.models import AuditEvent, Sanction

from .helpers import COURSE_KEY, RACES_ON_A_SERVER_DB, determine, open_case, race, save_settings

pytestmark = pytest.mark.django_db


class TestAuditChain:
    def test_every_change_is_chained_and_verifies(self, run_commit_hooks, author, learner, capsys):
        determine(author, open_case(author, learner), "other")
        checked, broken = api.verify_audit()
        assert checked >= 5 and broken == []
        call_command("verify_honor_code_audit")
        assert "intact" in capsys.readouterr().out
        sequences = list(AuditEvent.objects.chain(str(COURSE_KEY)).values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))

    def test_an_edited_event_is_named_as_the_first_broken_link(self, author, learner):
        open_case(author, learner)
        open_case(author, learner)
        second = AuditEvent.objects.chain(str(COURSE_KEY)).get(sequence=2)
        AuditEvent.objects.filter(pk=second.pk).update(after={"status": "closed"})
        with pytest.raises(CommandError, match=rf"event {second.pk} \(link 2\): its content does not match"):
            call_command("verify_honor_code_audit", "--course", str(COURSE_KEY))

    def test_a_chain_with_every_event_removed_is_still_checked(self, author, learner):
        open_case(author, learner)
        open_case(author, learner)
        AuditEvent.objects.chain(str(COURSE_KEY)).delete()
        (link,) = api.verify_audit()[1]
        assert link.scope == str(COURSE_KEY) and "removed" in link.reason

    def test_removed_events_break_the_chain(self, author, learner):
        for _ in range(3):
            open_case(author, learner)
        AuditEvent.objects.chain(str(COURSE_KEY)).filter(sequence=2).delete()
        (link,) = api.verify_audit(str(COURSE_KEY))[1]
        assert link.sequence == 3 and "missing" in link.reason
        AuditEvent.objects.chain(str(COURSE_KEY)).filter(sequence=3).delete()
        (link,) = api.verify_audit(str(COURSE_KEY))[1]
        assert "removed" in link.reason

    def test_a_malformed_course_is_a_command_error(self):
        with pytest.raises(CommandError, match="not a course key"):
            call_command("verify_honor_code_audit", "--course", "nope")


class TestConcurrency:
    """Races on a server database (SQLite serialises writers): the chain head is locked."""

    pytestmark = RACES_ON_A_SERVER_DB

    def test_concurrent_changes_in_one_course_chain_one_after_the_other(self, author, learner):
        errors = race(6, lambda: open_case(author, learner))
        assert errors == []
        checked, broken = api.verify_audit(str(COURSE_KEY))
        assert broken == [] and checked == 6


class TestEvents:
    def test_acceptance_determination_and_sanction_events(self, run_commit_hooks, author, learner):
        received = []

        def receiver(signal, **kwargs):
            received.append((signal.event_type, next(v for k, v in kwargs.items() if k in (
                "acceptance", "determination", "sanction"))))

        signals = [events.HONOR_CODE_ACCEPTANCE_CREATED, events.HONOR_CODE_CASE_DETERMINED,
                   events.HONOR_CODE_SANCTION_APPLIED, events.HONOR_CODE_SANCTION_REVERTED]
        for signal in signals:
            signal.connect(receiver)
        try:
            save_settings(actor=author)
            api.accept(learner, COURSE_KEY, confirmed=True)
            case = open_case(author, learner)
            determine(author, case, "certificate_withheld")
            api.revert_sanction(author, Sanction.objects.get().pk, reason="Appeal.")
        finally:
            for signal in signals:
                signal.disconnect(receiver)
        assert [event_type for event_type, _data in received] == [
            "org.openedx.learning.honor_code.acceptance.created.v1", "org.openedx.learning.honor_code.case.determined.v1",
            "org.openedx.learning.honor_code.sanction.applied.v1", "org.openedx.learning.honor_code.sanction.reverted.v1"]
        assert received[0][1].user_id == learner.pk and received[0][1].policy_version == 1
        assert received[1][1].finding == "violation" and received[1][1].sanctions == f"certificate_withheld:{learner.pk}"
        assert received[3][1].state == "reverted"
