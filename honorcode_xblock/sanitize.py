"""
Sanitizing the HTML that authors and operators write (policy text, course terms, notes).

Every HTML text they enter passes through :func:`clean_html` before it is stored and again before it is shown, so
a row written some other way (a raw SQL fix, an old import) is still harmless when rendered. Plain-text values
(notes, typed names) are never marked safe: templates escape them.
"""
import nh3

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h2", "h3", "h4", "h5", "hr",
    "i", "li", "ol", "p", "section", "small", "span", "strong", "sub", "sup", "u", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "lang"},
    "abbr": {"title"},
    "*": {"lang", "dir"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})


def clean_html(text):
    """
    Return ``text`` with every tag, attribute and URL scheme outside the allow-list removed.

    Links get ``rel="noopener noreferrer nofollow"``. ``None`` becomes the empty string.
    """
    if not text:
        return ""
    return nh3.clean(
        str(text),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()

