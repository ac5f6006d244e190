"""Rendering the package's HTML templates (``static/html/``) with Django's template engine, autoescaping on."""
from functools import lru_cache

from django.template import Context, Engine
from django.utils import formats, timezone
from xblock.utils.resources import ResourceLoader

ENGINE = Engine(libraries={"i18n": "django.templatetags.i18n"}, autoescape=True)
loader = ResourceLoader("honorcode_xblock.block")


@lru_cache(maxsize=None)
def template(path):
    """The compiled template at ``static/<path>`` (parsed once per process)."""
    return ENGINE.from_string(loader.load_unicode(f"static/{path}"))


def render(path, context):
    """Render ``static/<path>`` with ``context``."""
    return template(path).render(Context(context))


def static_text(path):
    """The text of ``static/<path>`` (CSS or JavaScript to inline)."""
    return loader.load_unicode(f"static/{path}")


def format_date(value):
    """A localized date ("Nov. 25, 2026") for a datetime, in the site's time zone."""
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT") if value else ""


def pledge_html(view, dom_id, show_title=True, scroll=False):
    """
    The honor code in force, the course's terms and its collaboration permissions (from an ``api.LearnerView``):
    the part the Honor Code block and the gate's placeholder show alike.
    """
    return render("html/pledge.html", {
        "view": view, "dom_id": dom_id, "show_title": show_title, "scroll": scroll,
        "last_updated": format_date(view.policy.published_at),
    })
