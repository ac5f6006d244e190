"""
Course content: the modulestore, course overviews and URL quoting.

Read from openedx-platform @ e57a655d77b614f19223984e9805b1fb940ab192 (course overviews @ 22eb254bbc0a8d51b5c02079b4140df14d78242b,
the version the index holds):

- ``xmodule/modulestore/django.py`` ``modulestore()`` with ``get_item(usage_key)``, raising
  ``xmodule/modulestore/exceptions.py`` ``ItemNotFoundError`` for an unknown key. A block has ``location``,
  ``display_name``, the inherited ``graded`` settings field (``xmodule/modulestore/inheritance.py``) and ``get_parent()``.
- ``xmodule/modulestore/split_mongo/split.py`` ``SplitMongoModuleStore.get_items(course_locator, settings=None,
  content=None, qualifiers=None, ...)`` @ e7d393d: the course's blocks matching ``qualifiers`` (``category``: the block
  type). Problems carry the inherited settings of ``xmodule/modulestore/inheritance.py`` ``InheritanceMixin``
  (``showanswer`` default "finished", ``max_attempts`` default None, ``show_correctness`` default "always"): a block
  that does not set one reads its nearest ancestor's, up to the course block (the course's Advanced Settings); the
  problem's own ``attempts_before_showanswer_button`` (``xmodule/capa_block.py`` @ 09b3dcc, default 0) is not inherited.
- ``openedx/core/djangoapps/content/course_overviews/models.py`` ``CourseOverview.get_from_id(course_id)`` (raises
  ``CourseOverview.DoesNotExist``, an ``ObjectDoesNotExist``, for a course that does not exist) and
  ``CourseOverview.course_exists(course_id)`` (an overview row, else ``modulestore().has_course``).
- ``openedx/core/lib/url_utils.py`` ``unquote_slashes``.
- ``lms/djangoapps/courseware/views/views.py`` ``render_xblock`` (the learning MFE's unit iframe): runs
  ``RenderXBlockStarted``; ``PreventXBlockBlockRender`` is a 500 page, ``RenderCustomResponse`` puts
  ``Fragment(exc.response)`` (so the response is HTML text) in the chromeless page, else ``block.render(view,
  student_view_context)``. ``xmodule/vertical_block.py`` ``VerticalBlock._student_or_public_view``: for each child,
  ``VerticalBlockChildRenderStarted`` (``PreventChildBlockRender`` skips it), then ``child.render(view, context)`` of the
  block the filter returned, listed by its ``location``.
- ``xmodule/tabs.py`` ``CourseTab``: ``__init__(tab_dict)`` (``name`` from ``title``, ``tab_id`` from ``type``),
  ``link_func`` (``tab_dict['link_func']`` or ``reverse(view_name, args=[course id])``), the abstract classmethod
  ``is_enabled(course, user=None)``; ``lms/djangoapps/courseware/tabs.py`` ``get_course_tab_list`` adds each
  ``is_dynamic`` tab type of the ``openedx.course_tab`` entry point whose ``is_enabled(course, user)`` holds.
"""
import re
import types
from types import SimpleNamespace

from django.core.exceptions import ObjectDoesNotExist


class ItemNotFoundError(Exception):
    """Mirrors ``xmodule.modulestore.exceptions.ItemNotFoundError``."""


class CourseOverviewDoesNotExist(ObjectDoesNotExist):
    """Mirrors ``CourseOverview.DoesNotExist`` (an ``ObjectDoesNotExist``)."""


#: Inherited settings fields and their defaults (``InheritanceMixin``).
INHERITED_DEFAULTS = {"showanswer": "finished", "max_attempts": None, "show_correctness": "always", "due": None}


class FakeBlock:
    """A modulestore item: what ``get_item`` returns."""

    def __getattr__(self, name):
        """An inherited settings field: the block's own value, else its nearest ancestor's, else the default."""
        if name == "attempts_before_showanswer_button":
            return self._fake.settings.get(self.location, {}).get(name, 0)
        if name not in INHERITED_DEFAULTS:
            raise AttributeError(name)
        key = self.location
        while key is not None:
            if name in self._fake.settings.get(key, {}):
                return self._fake.settings[key][name]
            key = self._fake.parents.get(key)
        return INHERITED_DEFAULTS[name]

    def __init__(self, fake, usage_key):
        self._fake = fake
        self.location = usage_key
        self.display_name = fake.blocks[usage_key]
        self.parent = fake.parents.get(usage_key)

    @property
    def graded(self):
        """Inherited: True when the block or one of its ancestors is marked graded."""
        key = self.location
        while key is not None:
            if key in self._fake.graded:
                return True
            key = self._fake.parents.get(key)
        return False

    @property
    def has_children(self):
        return any(parent == self.location for parent in self._fake.parents.values())

    def get_children(self):
        return [FakeBlock(self._fake, key) for key, parent in self._fake.parents.items() if parent == self.location]

    def get_parent(self):
        if self.parent is None or self.parent not in self._fake.blocks:
            return None
        return FakeBlock(self._fake, self.parent)


def content_modules(fake):
    """The modulestore, course overviews and ``url_utils``."""
    def get_item(usage_key):
        if usage_key not in fake.blocks:
            raise ItemNotFoundError(usage_key)
        return FakeBlock(fake, usage_key)

    def get_items(course_locator, settings=None, content=None, qualifiers=None, **kwargs):
        category = (qualifiers or {}).get("category") or kwargs.get("category")
        return [FakeBlock(fake, key) for key in fake.blocks if getattr(key, "course_key", None) == course_locator
                and (category is None or key.block_type == category)]

    store = SimpleNamespace(get_item=get_item, get_items=get_items,
                            has_course=lambda course_key: str(course_key) in fake.courses)
    modulestore_django = types.ModuleType("xmodule.modulestore.django")
    modulestore_django.modulestore = lambda: store
    exceptions = types.ModuleType("xmodule.modulestore.exceptions")
    exceptions.ItemNotFoundError = ItemNotFoundError
    url_utils = types.ModuleType("openedx.core.lib.url_utils")
    url_utils.unquote_slashes = lambda text: re.sub(r";(;|_)", lambda m: "/" if m.group(1) == "_" else ";", text)
    overviews = types.ModuleType("openedx.core.djangoapps.content.course_overviews.models")

    class CourseOverview:
        """``get_from_id`` and ``course_exists`` for the courses in ``fake.courses``."""

        DoesNotExist = CourseOverviewDoesNotExist

        def __init__(self, course_key, display_name):
            self.id, self.display_name = course_key, display_name

        @classmethod
        def course_exists(cls, course_id):
            return str(course_id) in fake.courses

        @classmethod
        def get_from_id(cls, course_id):
            if str(course_id) not in fake.courses:
                raise cls.DoesNotExist(f"Course {course_id} does not exist")
            return cls(course_id, fake.courses[str(course_id)])

    overviews.CourseOverview = CourseOverview
    return {"xmodule.modulestore.django": modulestore_django, "xmodule.modulestore.exceptions": exceptions,
            "openedx.core.lib.url_utils": url_utils,
            "openedx.core.djangoapps.content.course_overviews.models": overviews}


class CourseTab:
    """Mirrors ``xmodule.tabs.CourseTab`` (the members a plugin tab uses)."""

    type = ""
    title = None
    priority = None
    is_dynamic = False
    is_default = True
    view_name = None
    course_staff_only = False

    def __init__(self, tab_dict):
        self.name = tab_dict.get("name", self.title)
        self.tab_id = tab_dict.get("tab_id", getattr(self, "tab_id", self.type))
        self.course_staff_only = tab_dict.get("course_staff_only", False)
        self.is_hidden = tab_dict.get("is_hidden", False)
        self.tab_dict = tab_dict

    @property
    def link_func(self):
        view_name = self.view_name
        return self.tab_dict.get("link_func", lambda course, reverse_func: reverse_func(view_name,
                                                                                          args=[str(course.id)]))

    @classmethod
    def is_enabled(cls, course, user=None):
        raise NotImplementedError()


def tab_modules():
    """``xmodule.tabs``."""
    tabs = types.ModuleType("xmodule.tabs")
    tabs.CourseTab = CourseTab
    return {"xmodule.tabs": tabs}


def get_course_tab_list(user, course):
    """
    The dynamic part of ``lms/djangoapps/courseware/tabs.py`` ``get_course_tab_list``: every ``is_dynamic`` tab type
    registered under ``openedx.course_tab`` (``CourseTabPluginManager``, sorted by priority, then type) whose
    ``is_enabled(course, user=user)`` holds.
    """
    from importlib.metadata import entry_points  # pylint: disable=import-outside-toplevel

    types_ = [entry.load() for entry in entry_points(group="openedx.course_tab")]
    types_.sort(key=lambda tab_type: (tab_type.priority or float("inf"), tab_type.type))
    return [tab_type({}) for tab_type in types_ if getattr(tab_type, "is_dynamic", False)
            and tab_type({}).is_enabled(course, user=user)]


def render_xblock(block, view="student_view", student_view_context=None):
    """``render_xblock`` around ``RenderXBlockStarted``: (HTTP status, the page's fragment content)."""
    from openedx_filters.learning.filters import RenderXBlockStarted  # pylint: disable=import-outside-toplevel
    from web_fragments.fragment import Fragment  # pylint: disable=import-outside-toplevel

    context = {"block": block, "course": SimpleNamespace(id=getattr(block.location, "course_key", None)),
               "is_learning_mfe": True, "is_mobile_app": False}
    try:
        context, student_view_context = RenderXBlockStarted.run_filter(
            context=context, student_view_context=student_view_context or {})
    except RenderXBlockStarted.PreventXBlockBlockRender:
        return 500, ""
    except RenderXBlockStarted.RenderCustomResponse as exc:
        return 200, Fragment(exc.response).content
    return 200, block.render(view, context=student_view_context).content


def vertical_student_view(children, view="student_view", context=None):
    """``VerticalBlock._student_or_public_view`` around ``VerticalBlockChildRenderStarted``: [(child id, content)]."""
    from copy import copy  # pylint: disable=import-outside-toplevel

    from openedx_filters.learning.filters import VerticalBlockChildRenderStarted  # pylint: disable=import-outside-toplevel

    contents = []
    for child in children:
        child_block_context = copy(context or {})
        try:
            child, child_block_context = VerticalBlockChildRenderStarted.run_filter(
                block=child, context=child_block_context)
        except VerticalBlockChildRenderStarted.PreventChildBlockRender:
            continue
        rendered_child = child.render(view, child_block_context)
        contents.append((str(child.location), rendered_child.content))
    return contents

