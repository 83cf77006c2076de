"""Small HTML helpers shared by the book's rendered outputs (quizzes, explorables).

One home for what every renderer needs: escaping text into HTML, counting things in words
("1 question", "3 questions"), the ``id`` the book gives a chapter's section heading, and
:func:`report_html`, which turns a plain-text report (aligned columns, ``label : value`` lines)
into a real HTML table that reflows on a phone instead of monospace text that wraps.
"""

from __future__ import annotations

import html
import re
import unicodedata

from llmhistory._validate import check_int, check_str

__all__ = ["REPORT_CSS", "escape", "heading_id", "plural", "report_html"]


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


#: ``label : value`` or ``label = value`` (spaces around the sign): a two-cell row.
_KEY_VALUE = re.compile(r"^(\S.*?)\s+[:=]\s+(\S.*)$")
#: Two or more spaces separate the columns of an aligned text table.
_GUTTER = re.compile(r"\s{2,}")
#: A cell that reads as a number (right-aligned): ``0.490``, ``-12.5``, ``1,150``, ``$0.0058``,
#: ``8.03 B``, ``+1``, ``-inf``.
_NUMBER = re.compile(r"^[-+\u2212]?\$?(\d[\d,.]*(\s?[%A-Za-z/]{1,6})?|inf)$")
_BAR = re.compile(r"^#+$")

#: The CSS of :func:`report_html` output (the explorables embed it once per explorable).
REPORT_CSS = (
    ".llmh-report p{margin:0 0 .3em}"
    ".llmh-report table{border-collapse:collapse;margin:.2em 0 .5em;font-variant-numeric:"
    "tabular-nums}"
    ".llmh-report th,.llmh-report td{padding:.15em .7em .15em 0;text-align:left;"
    "vertical-align:top;border:0;border-bottom:1px solid rgba(128,128,128,.3)}"
    ".llmh-report thead th{border-bottom-width:2px}"
    ".llmh-report .num{text-align:right;white-space:nowrap}"
    ".llmh-report .bar{display:inline-block;height:.7em;background:currentColor;opacity:.55}"
)


def _line_kind(line: str) -> str:
    if _KEY_VALUE.match(line):
        return "pairs"
    return "columns" if len(_GUTTER.split(line.strip())) >= 2 else "text"


def _cells(line: str, kind: str) -> list[str]:
    if kind == "pairs":
        match = _KEY_VALUE.match(line)
        return [match.group(1).strip(), match.group(2).strip()]
    return _GUTTER.split(line.strip())


def _cell_html(text: str, tag: str, scope: str = "") -> str:
    if _BAR.match(text):
        body = (
            f'<span class="bar" style="width:{len(text) * 0.4:g}em" role="img" '
            f'aria-label="bar of {len(text)}"></span>'
        )
        return f"<{tag}>{body}</{tag}>"
    numeric = ' class="num"' if _NUMBER.match(text) else ""
    return f"<{tag}{scope}{numeric}>{escape(text)}</{tag}>"


def _table_html(rows: list[list[str]]) -> str:
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    has_digit = [any(ch.isdigit() for ch in "".join(row)) for row in rows]
    header = len(rows) > 1 and not has_digit[0] and any(has_digit[1:])
    parts = ["<table>"]
    if header:
        cells = "".join(
            f'<th scope="col">{escape(cell)}</th>' if cell else "<td></td>" for cell in rows[0]
        )
        parts.append(f"<thead><tr>{cells}</tr></thead>")
        rows = rows[1:]
    parts.append("<tbody>")
    for row in rows:
        first = _cell_html(row[0], "th", ' scope="row"')
        parts.append("<tr>" + first + "".join(_cell_html(c, "td") for c in row[1:]) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def report_html(text: str) -> str:
    r"""Return a plain-text report as HTML: aligned blocks become tables, other lines paragraphs.

    A run of lines whose columns are separated by two or more spaces (what
    :func:`llmhistory.book.tables.format_table` prints) becomes one ``<table>``; its first row
    is a header when it has no digit and a later row has one, and the first cell of every other
    row is a row header. A run of ``label : value`` (or ``label = value``) lines becomes a
    two-column table. Numbers are right-aligned; a cell of ``#`` marks is drawn as a bar.
    Any other line is a ``<p>``. Everything is escaped; nothing is monospace, so the result
    reflows on a narrow screen.

    Parameters
    ----------
    text : str
        The report, lines separated by ``\n``.

    Returns
    -------
    str
        ``<div class="llmh-report">...</div>`` (style it with :data:`REPORT_CSS`).

    Examples
    --------
    >>> import re
    >>> cells = lambda html: re.findall(r"<(t[hd])(?: [^>]*)?>([^<]*)<", html)
    >>> cells(report_html("total : 3 GiB\nfree  : 1 GiB"))
    [('th', 'total'), ('td', '3 GiB'), ('th', 'free'), ('td', '1 GiB')]
    >>> out = report_html("model  N\na <b>  0.9B")
    >>> "<thead>" in out, cells(out), 'class="num"' in out
    (True, [('th', 'model'), ('th', 'N'), ('th', 'a &lt;b&gt;'), ('td', '0.9B')], True)
    """
    lines = [line.rstrip() for line in check_str("text", text, allow_empty=True).splitlines()]
    parts: list[str] = []
    block: list[list[str]] = []
    block_kind = ""
    for line in [*lines, ""]:
        kind = _line_kind(line) if line.strip() else "blank"
        if block and kind != block_kind:
            parts.append(_table_html(block))
            block = []
        if kind in ("pairs", "columns"):
            block.append(_cells(line, kind))
            block_kind = kind
        elif kind == "text":
            parts.append(f"<p>{escape(line.strip())}</p>")
    return f'<div class="llmh-report">{"".join(parts)}</div>'
