"""Operators: the management command, the Django admin and the public honor code page."""
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from honorcode_xblock import api
from honorcode_xblock.exceptions import ReadOnly
from honorcode_xblock.models import Acceptance, AuditEvent, PolicyVersion

from .helpers import COURSE_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy_file(tmp_path):
    path = tmp_path / "honor.html"
    path.write_text("<p>Version two of our honor code.</p><script>alert(1)</script>", encoding="utf-8")
    return path


class TestPublishCommand:
    def test_publishes_a_new_version_effective_at_once(self, policy_file, operator, capsys):
        call_command("publish_honor_code", file=str(policy_file), change_kind="minor", summary="Clearer wording",
                     username="operator")
        current = api.current_policy()
        assert current.number == 2 and current.change_kind == "minor"
        assert current.body == "<p>Version two of our honor code.</p>"
        assert current.published_by == operator and current.change_summary == "Clearer wording"
        assert "Published honor code version 2 (minor)" in capsys.readouterr().out

    def test_show_lists_versions(self, policy_file, capsys):
        call_command("publish_honor_code", file=str(policy_file), change_kind="material")
        capsys.readouterr()
        call_command("publish_honor_code", show=True)
        lines = capsys.readouterr().out.splitlines()
        assert [line.split("\t")[0] for line in lines] == ["v2", "v1"]

    @pytest.mark.parametrize("options, message", [
        ({"change_kind": "minor"}, "Give the new text with --file"),
        ({"file": "/nonexistent/honor.html", "change_kind": "minor"}, "Cannot read /nonexistent/honor.html"),
        ({"file": "POLICY", "change_kind": "minor", "username": "ghost"}, "No user named 'ghost'"),
        ({"file": "POLICY"}, "--change-kind"),
        ({"file": "EMPTY", "change_kind": "minor"}, "cannot be empty"),
    ])
    def test_bad_input_is_a_command_error(self, options, message, policy_file, tmp_path):
        empty = tmp_path / "empty.html"
        empty.write_text("<script>only()</script>", encoding="utf-8")
        options = {key: {"POLICY": str(policy_file), "EMPTY": str(empty)}.get(value, value)
                   for key, value in options.items()}
        with pytest.raises(CommandError, match=message):
            call_command("publish_honor_code", **options)
        assert PolicyVersion.objects.count() == 1

    def test_invalid_change_kind_is_refused_by_the_parser(self, policy_file):
        with pytest.raises(CommandError):
            call_command("publish_honor_code", "--file", str(policy_file), "--change-kind", "huge")


class TestAdmin:
    @pytest.fixture
    def admin_client(self, client, operator):
        client.force_login(operator)
        return client

    def test_operator_writes_a_draft_and_publishes_it(self, admin_client, operator):
        response = admin_client.post(reverse("admin:honorcode_policyversion_add"), {
            "title": "Honor Code", "body": "<p>Draft two</p><script>x()</script>", "change_kind": "material",
            "change_summary": "<p>Adds a clause</p>",
        })
        assert response.status_code == 302, response.content
        draft = PolicyVersion.objects.drafts().get()
        assert draft.body == "<p>Draft two</p>" and draft.created_by == operator
        response = admin_client.post(reverse("admin:honorcode_policyversion_changelist"), {
            "action": "publish", "_selected_action": [draft.pk],
        }, follow=True)
        assert "1 version published." in response.content.decode()
        assert api.current_policy().pk == draft.pk and api.current_policy().number == 2
        assert AuditEvent.objects.filter(action="policy.published", actor=operator).exists()

    def test_drafts_can_be_deleted_published_versions_cannot(self, admin_client):
        draft = api.create_policy_draft(body="<p>Scrap this</p>", change_kind="minor")
        published = api.current_policy()
        response = admin_client.post(reverse("admin:honorcode_policyversion_changelist"), {
            "action": "delete_selected", "_selected_action": [draft.pk, published.pk], "post": "yes",
        }, follow=True)
        assert response.status_code == 403 or "is published" in response.content.decode()
        assert PolicyVersion.objects.filter(pk=published.pk).exists()
        response = admin_client.post(reverse("admin:honorcode_policyversion_delete", args=[draft.pk]),
                                     {"post": "yes"})
        assert response.status_code == 302
        assert not PolicyVersion.objects.filter(pk=draft.pk).exists()
        assert AuditEvent.objects.filter(action="policy.draft_deleted", object_id=str(draft.pk)).exists()
        with pytest.raises(ReadOnly):
            api.delete_policy_draft(published)

    def test_invalid_draft_shows_the_message(self, admin_client):
        response = admin_client.post(reverse("admin:honorcode_policyversion_add"), {
            "title": "Honor Code", "body": "<script>x()</script>", "change_kind": "minor", "change_summary": "",
        })
        assert response.status_code == 200
        assert "The honor code text cannot be empty." in response.content.decode()
        assert not PolicyVersion.objects.drafts().exists()

    def test_published_version_is_read_only_in_admin(self, admin_client):
        version = api.current_policy()
        url = reverse("admin:honorcode_policyversion_change", args=[version.pk])
        page = admin_client.get(url).content.decode()
        assert '<textarea name="body"' not in page
        admin_client.post(url, {"title": "Changed", "body": "<p>changed</p>", "change_kind": "minor"})
        version.refresh_from_db()
        assert version.title == "Honor Code" and "changed" not in version.body
        response = admin_client.post(reverse("admin:honorcode_policyversion_delete", args=[version.pk]),
                                     {"post": "yes"})
        assert response.status_code == 403
        assert PolicyVersion.objects.filter(pk=version.pk).exists()

    def test_publishing_an_already_published_version_reports_an_error(self, admin_client):
        version = api.current_policy()
        response = admin_client.post(reverse("admin:honorcode_policyversion_changelist"), {
            "action": "publish", "_selected_action": [version.pk],
        }, follow=True)
        assert "is already published" in response.content.decode()
        assert api.current_policy().number == 1

    def test_acceptances_and_audit_are_read_only(self, admin_client, learner):
        api.accept(learner, COURSE_KEY, confirmed=True)
        acceptance = Acceptance.objects.get()
        assert admin_client.get(reverse("admin:honorcode_acceptance_changelist")).status_code == 200
        assert admin_client.get(reverse("admin:honorcode_acceptance_add")).status_code == 403
        response = admin_client.post(reverse("admin:honorcode_acceptance_delete", args=[acceptance.pk]),
                                     {"post": "yes"})
        assert response.status_code == 403
        event = AuditEvent.objects.first()
        assert admin_client.post(reverse("admin:honorcode_auditevent_delete", args=[event.pk]),
                                 {"post": "yes"}).status_code == 403
        assert Acceptance.objects.exists() and AuditEvent.objects.filter(pk=event.pk).exists()


class TestPolicyPage:
    def test_shows_the_version_in_force(self, client):
        page = client.get("/honorcode/").content.decode()
        assert "Version 1 · Last updated" in page and "Your own work." in page

    def test_earlier_versions_stay_readable_and_are_marked(self, client):
        api.publish_new_policy(body="<p>Second</p>", change_kind="minor", change_summary="<p>Typo fixes</p>")
        page = client.get("/honorcode/").content.decode()
        assert "Version 2" in page and "Typo fixes" in page
        earlier = client.get("/honorcode/v1/").content.decode()
        assert "This is an earlier version." in earlier and "Your own work." in earlier

    def test_unknown_or_unpublished_version_is_404(self, client):
        draft = api.create_policy_draft(body="<p>draft</p>", change_kind="minor")
        assert client.get("/honorcode/v9/").status_code == 404
        assert client.get(f"/honorcode/v{draft.pk + 100}/").status_code == 404
        assert client.post("/honorcode/").status_code == 405
