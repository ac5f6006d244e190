"""
Test doubles of the edx-platform modules that ``platform/openedx.py`` imports, shaped like the real ones.

- ``common.djangoapps.student.auth``: ``has_studio_read_access(user, course_key)`` and
  ``has_studio_write_access(user, course_key)`` (openedx-platform ``common/djangoapps/student/auth.py``).
- ``xmodule.modulestore.django.modulestore()`` with ``get_item(usage_key)``, raising
  ``xmodule.modulestore.exceptions.ItemNotFoundError`` for an unknown key (openedx-platform
  ``xmodule/modulestore/django.py`` and ``xmodule/modulestore/exceptions.py``).
"""
import sys
import types
from contextlib import contextmanager
from types import SimpleNamespace


class ItemNotFoundError(Exception):
    """Mirrors ``xmodule.modulestore.exceptions.ItemNotFoundError``."""


class FakeOpenEdx:
    """Course teams and course content the doubles answer from."""

    def __init__(self):
        self.readers = set()   # (user id, course key) pairs with Studio read access (course staff)
        self.writers = set()   # (user id, course key) pairs with Studio write access (course authors)
        self.blocks = {}       # usage key -> display name

    def make_staff(self, user, course_key, write=True):
        self.readers.add((user.pk, course_key))
        if write:
            self.writers.add((user.pk, course_key))

    def modules(self):
        auth = types.ModuleType("common.djangoapps.student.auth")
        auth.has_studio_read_access = lambda user, course_key: (user.pk, course_key) in self.readers
        auth.has_studio_write_access = lambda user, course_key: (user.pk, course_key) in self.writers

        def get_item(usage_key):
            if usage_key not in self.blocks:
                raise ItemNotFoundError(usage_key)
            return SimpleNamespace(location=usage_key, display_name=self.blocks[usage_key])

        store = SimpleNamespace(get_item=get_item)
        modulestore_django = types.ModuleType("xmodule.modulestore.django")
        modulestore_django.modulestore = lambda: store
        exceptions = types.ModuleType("xmodule.modulestore.exceptions")
        exceptions.ItemNotFoundError = ItemNotFoundError
        packages = {name: types.ModuleType(name) for name in (
            "common", "common.djangoapps", "common.djangoapps.student", "xmodule", "xmodule.modulestore")}
        return {
            **packages,
            "common.djangoapps.student.auth": auth,
            "xmodule.modulestore.django": modulestore_django,
            "xmodule.modulestore.exceptions": exceptions,
        }


@contextmanager
def installed(fake):
    """Make the doubles importable for the duration of the block."""
    modules = fake.modules()
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        yield fake
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
