"""Small HTML helpers shared by the book's rendered outputs (quizzes, explorables).

One home for what every renderer needs: escaping text into HTML, counting things in words
("1 question", "3 questions") and the ``id`` the book gives a chapter's section heading.
"""

from __future__ import annotations

import html
import re
import unicodedata

from llmhistory._validate import check_int, check_str

__all__ = ["escape", "heading_id", "plural"]


def escape(text: str) -> str:
    """Return ``text`` with ``&``, ``<``, ``>``, ``"`` and ``'`` written as HTML entities.

    Safe inside element content and inside quoted attribute values.

    >>> escape('<b class="x">Tom & Jerry\\'s</b>')
    '&lt;b class=&quot;x&quot;&gt;Tom &amp; Jerry&#x27;s&lt;/b&gt;'
    """
    return html.escape(text, quote=True)


def plural(n: int, word: str, plural: str | None = None) -> str:
    """Return ``n`` and ``word``, with the plural form unless ``n == 1``.

    Parameters
    ----------
    n : int
        The count (0 takes the plural, as in "0 questions").
    word : str
        The singular form.
    plural : str, optional
        The plural form; default ``word + "s"``.

    >>> plural(1, "question"), plural(0, "question"), plural(12, "quiz", "quizzes")
    ('1 question', '0 questions', '12 quizzes')
    """
    n = check_int("n", n, minimum=0)
    check_str("word", word)
    return f"{n} {word if n == 1 else plural or word + 's'}"


# Docutils' table of letters that NFKD does not reduce to ASCII (docutils.nodes.make_id).
_DIGRAPHS = str.maketrans({"ß": "sz", "æ": "ae", "œ": "oe", "ȸ": "db", "ȹ": "qp"})
_LETTERS = str.maketrans("øđħıłŧƀƃƈƌƒƙƚƞƥƫƭƴƶǥȥȴȵȶȷȼȿɀɇɉɋɍɏ", "odhiltbbcdfklnpttyzgzlntjcszejqry")
_NON_ID = re.compile(r"[^a-z0-9]+")
_NON_ID_AT_ENDS = re.compile(r"^[-0-9]+|-+$")


def heading_id(heading: str) -> str:
    """Return the ``id`` Jupyter Book (docutils) gives the section titled ``heading``.

    Lower case, accents dropped, every run of other characters one ``-``, no leading digit or
    hyphen: a link ``#<id>`` on the chapter page jumps to that section.

    Parameters
    ----------
    heading : str
        The heading's text, without the leading ``#`` marks.

    Raises
    ------
    ValueError
        If nothing is left (``heading`` has no letter), since the section would get no id.

    >>> heading_id("The next-token loop, step by step")
    'the-next-token-loop-step-by-step'
    >>> heading_id("The Bradley–Terry model"), heading_id("Step 5: the KV cache")
    ('the-bradleyterry-model', 'step-5-the-kv-cache')
    """
    text = check_str("heading", heading).lower().translate(_DIGRAPHS).translate(_LETTERS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ident = _NON_ID_AT_ENDS.sub("", _NON_ID.sub("-", " ".join(text.split())))
    if not ident:
        raise ValueError(f"heading={heading!r} has no letter to make a section id from")
    return ident
