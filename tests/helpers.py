"""
Test helpers: one ``make_block()`` that every block test uses, on XBlock's ToyRuntime with injected services; and
the domain's steps that the tests of several domain modules take (a course's settings, a case and its determination,
threads that race).
"""
import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from opaque_keys.edx.keys import CourseKey
from webob import Request
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData, NullI18nService
from xblock.fields import ScopeIds
from xblock.test.toy_runtime import ToyRuntime

from honorcode_xblock import api
from honorcode_xblock.block import HonorCodeXBlock

COURSE_KEY = CourseKey.from_string("course-v1:TestX+HC101+2026")
OTHER_COURSE_KEY = CourseKey.from_string("course-v1:TestX+OTHER+2026")


def usage_key(block_type="honorcode", block_id="pledge", course_key=COURSE_KEY):
    """A usage key in ``course_key``."""
    return course_key.make_usage_key(block_type, block_id)


class FakeUserService(UserService):
    """The XBlock user service, returning the XBlockUser it was given."""

    def __init__(self, xblock_user):
        super().__init__()
        self._user = xblock_user

    def get_current_user(self):
        return self._user


def workbench_user(student_id):
    """An XBlockUser as the xblock-sdk workbench builds it (``workbench/runtime.py`` ``WorkBenchUserService``)."""
    user = XBlockUser(is_current_user=True, emails=["user@example.com"], full_name=f"XBlock User ({student_id})")
    user.opt_attrs["xblock-workbench.user_id"] = student_id
    return user


def lms_user(user, is_staff=False):
    """
    An XBlockUser as the LMS builds it.

    Mirrors ``common/djangoapps/xblock_django/user_service.py`` ``DjangoXBlockUserService``: authenticated users carry
    ``edx-platform.user_id``, ``edx-platform.username``, ``edx-platform.is_authenticated`` and
    ``edx-platform.user_is_staff``; anonymous users only ``is_authenticated`` False.
    """
    xblock_user = XBlockUser(is_current_user=True)
    if user is None:
        xblock_user.opt_attrs["edx-platform.is_authenticated"] = False
        return xblock_user
    xblock_user.opt_attrs.update({
        "edx-platform.is_authenticated": True,
        "edx-platform.user_id": user.pk,
        "edx-platform.username": user.username,
        "edx-platform.user_is_staff": is_staff,
    })
    return xblock_user


class RecordingRuntime(ToyRuntime):
    """ToyRuntime with a user and i18n service, its own field data, and a record of what blocks publish."""

    def __init__(self, xblock_user=None, author_mode=False):
        super().__init__(user_id="test-user")
        self._services["field-data"] = KvsFieldData(DictKeyValueStore())
        self._services["i18n"] = NullI18nService()
        if xblock_user is not None:
            self._services["user"] = FakeUserService(xblock_user)
        self.published = []
        if author_mode:
            self.is_author_mode = True

    def publish(self, block, event_type, event_data):
        self.published.append((event_type, event_data))

    def local_resource_url(self, block, uri):
        return f"/resource/{block.scope_ids.block_type}/{uri}"


def make_block(xblock_user=None, key=None, author_mode=False, **fields):
    """Build an Honor Code block in a course, for ``xblock_user``, with ``fields`` set."""
    runtime = RecordingRuntime(xblock_user, author_mode=author_mode)
    key = key or usage_key()
    block = runtime.construct_xblock_from_class(
        HonorCodeXBlock, ScopeIds("test-user", "honorcode", key, key),
    )
    for name, value in fields.items():
        setattr(block, name, value)
    return block


def call_handler(block, name, payload):
    """POST ``payload`` as JSON to a block handler; returns (status code, decoded JSON body)."""
    request = Request.blank("/", method="POST")
    request.body = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
    request.content_type = "application/json"
    response = block.handle(name, request)
    return response.status_code, json.loads(response.body.decode("utf-8"))


# --- the domain's steps ------------------------------------------------------------------------------------------


def course_author():
    """A staff account: a course author on the standalone platform."""
    return get_user_model().objects.get_or_create(username="author", defaults={"is_staff": True})[0]


def save_settings(course_key=COURSE_KEY, terms="", collaboration="", mode="checkbox", gate=False, actor=None):
    return api.save_course_settings(
        course_key, terms_html=terms, collaboration_text=collaboration, acceptance_mode=mode,
        gate_graded_content=gate, actor=actor or course_author(),
    )


def publish_again_after_a_flush():
    """The honor code the migrations published, again if the table flush after a transactional test removed it."""
    if api.current_policy() is None:
        api.publish_new_policy(body=api.default_policy_text(), change_kind="material")


def race(count, *actions):
    """
    Run the actions (or one action ``count`` times) in threads released together; returns their errors.

    Tests that race run with ``transaction=True``: the table flush between such tests removes the honor code that
    the migrations published, so it is published again first.
    """
    publish_again_after_a_flush()
    actions = actions if len(actions) == count else actions * count
    errors, barrier = [], threading.Barrier(count)

    def run(action):
        try:
            barrier.wait()
            action()
        except Exception as error:  # pylint: disable=broad-except
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


#: The marks of a class whose tests race on a server database: SQLite serialises writers, and the threads see only
#: what is committed.
RACES_ON_A_SERVER_DB = [
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs a server DB"),
    pytest.mark.django_db(transaction=True),
]


def open_case(actor, *respondents, course_key=COURSE_KEY, **kwargs):
    fields = {"commitment": "no_posting_answers", "description": "Posted the answers of quiz 2 on a forum."}
    fields.update(kwargs)
    return api.open_case(actor, course_key, respondents=[user.username for user in respondents], **fields)


def determine(actor, case, *kinds, finding="violation", **kwargs):
    return api.determine(actor, case.pk, finding=finding, rationale="The posts match the learner's answers.",
                         sanctions_requested=[{"kind": kind, "details": "Written warning" if kind == "other" else ""}
                                              for kind in kinds], **kwargs)
