"""Test helpers: one ``make_block()`` that every block test uses, on XBlock's ToyRuntime with injected services."""
import json

from opaque_keys.edx.keys import CourseKey
from webob import Request
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData, NullI18nService
from xblock.fields import ScopeIds
from xblock.test.toy_runtime import ToyRuntime

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
