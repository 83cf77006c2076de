"""Plain-text tables for the chapters: one formatter instead of hand-padded f-strings.

A chapter prints its tables with ``print(format_table(rows, columns, formats=...))``. Each
column is as wide as its widest cell or header; numbers are right-aligned, text left-aligned;
columns are separated by two spaces and no line ends in spaces. The cells keep the precision a
column's format gives them (``".3f"``, ``",d"``, ``"{:.1f}B"``), so a stored output shows only
the digits the text means.

>>> print(format_table([("Shipping", -0.001), ("Refund", -12.567)], ["label", "log-prob"],
...                    formats={"log-prob": ".3f"}))
label     log-prob
Shipping    -0.001
Refund     -12.567
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence

from llmhistory._validate import check_int, check_mapping, check_sequence, check_str

__all__ = ["ALIGNMENTS", "format_cell", "format_table"]

#: Column alignments: ``"<"`` left (text), ``">"`` right (numbers).
ALIGNMENTS = ("<", ">")

Format = str | Callable[[object], str] | None


def format_cell(value: object, spec: Format = None) -> str:
    """Return one table cell as text: ``value`` formatted by ``spec``; ``None`` gives ``""``.

    Parameters
    ----------
    value : object
        The cell's value; ``None`` is an empty cell.
    spec : str, callable or None
        ``None`` uses ``str(value)``; a str holding ``"{"`` is a template filled with
        ``spec.format(value)`` (``"{:.1f}B"``, ``"{!r}"``); any other str is a format spec for
        ``format(value, spec)`` (``".3f"``, ``",d"``, ``".1%"``); a callable returns the text.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``spec`` is of another kind, or a callable returns something other than a str.

    Examples
    --------
    >>> format_cell(0.81757, ".3f"), format_cell(174.6e9 / 1e9, "{:.1f}B"), format_cell(None)
    ('0.818', '174.6B', '')
    >>> format_cell(" I", "{!r}"), format_cell(8030261248, ",d")
    ("' I'", '8,030,261,248')
    """
    if value is None:
        return ""
    if spec is None:
        return str(value)
    if isinstance(spec, str):
        return spec.format(value) if "{" in spec else format(value, spec)
    if callable(spec):
        text = spec(value)
        if not isinstance(text, str):
            raise TypeError(f"a format callable must return a str, got {type(text).__name__}")
        return text
    raise TypeError(f"a format must be a str, a callable or None, got {type(spec).__name__}")


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_options(name: str, value: object, columns: tuple[str, ...]) -> dict:
    """Return the ``{column: option}`` mapping after checking every key names a column."""
    if value is None:
        return {}
    options = check_mapping(name, value, allow_empty=True)
    for key in options:
        if key not in columns:
            raise ValueError(f"{name} names {key!r}, which is not one of the columns {columns}")
    return options


def format_table(
    rows: Sequence[Sequence[object]],
    columns: Sequence[str],
    *,
    formats: Mapping[str, Format] | None = None,
    align: Mapping[str, str] | None = None,
    gap: int = 2,
    indent: int = 0,
) -> str:
    """Return a fixed-width text table: a header line, then one line per row.

    Parameters
    ----------
    rows : sequence of sequences
        One sequence of cell values per row, each as long as ``columns`` (may be empty: the
        table is then its header). ``None`` is an empty cell.
    columns : sequence of str
        The column headers, in order, distinct (a header may be ``""``).
    formats : mapping of str to format, optional
        ``{column: spec}`` for :func:`format_cell`; unnamed columns use ``str(value)``.
    align : mapping of str to {"<", ">"}, optional
        ``{column: alignment}``; by default a column is right-aligned when every non-empty
        cell is a real number (bools excluded), else left-aligned. Headers follow their column.
    gap : int, default 2
        Spaces between columns, ``>= 1``.
    indent : int, default 0
        Spaces before every line, ``>= 0``.

    Returns
    -------
    str
        The lines joined by ``"\\n"``, without a trailing newline or trailing spaces.

    Raises
    ------
    TypeError
        If ``rows`` or a row is not a sequence, a header is not a str, ``formats`` or
        ``align`` is not a mapping, or a format is of the wrong kind.
    ValueError
        If ``columns`` is empty or has duplicates, a row's length differs from the number of
        columns, ``formats`` or ``align`` names an unknown column, an alignment is not
        ``"<"`` or ``">"``, ``gap < 1`` or ``indent < 0``.

    Examples
    --------
    >>> print(format_table([(1, "' I'", 0.49), (10, "' '", 0.612)], ["step", "chosen", "p"],
    ...                    formats={"p": ".3f"}))
    step  chosen      p
       1  ' I'    0.490
      10  ' '     0.612
    >>> print(format_table([("total", 16)], ["part", "bytes"], align={"part": ">"}, indent=4))
         part  bytes
        total     16
    """
    columns = tuple(
        check_str(f"columns[{i}]", header, allow_empty=True)
        for i, header in enumerate(check_sequence("columns", columns, "column"))
    )
    if len(set(columns)) != len(columns):
        raise ValueError(f"columns must be distinct, got {list(columns)}")
    formats = _check_options("formats", formats, columns)
    alignments = _check_options("align", align, columns)
    for column, alignment in alignments.items():
        if alignment not in ALIGNMENTS:
            raise ValueError(f"align[{column!r}] must be '<' or '>', got {alignment!r}")
    gap = check_int("gap", gap, minimum=1)
    indent = check_int("indent", indent, minimum=0)
    rows = check_sequence("rows", rows, "row", allow_empty=True)
    for i, row in enumerate(rows):
        check_sequence(f"rows[{i}]", row, "cell", allow_empty=True)
        if len(row) != len(columns):
            raise ValueError(f"rows[{i}] has {len(row)} cells, expected {len(columns)} (columns)")

    cells = [
        [
            format_cell(value, formats.get(column))
            for column, value in zip(columns, row, strict=True)
        ]
        for row in rows
    ]
    widths = [
        max([len(header)] + [len(row[j]) for row in cells]) for j, header in enumerate(columns)
    ]
    sides = [
        alignments.get(
            column,
            ">"
            if any(row[j] is not None for row in rows)
            and all(_is_number(row[j]) for row in rows if row[j] is not None)
            else "<",
        )
        for j, column in enumerate(columns)
    ]

    def line(texts: Sequence[str]) -> str:
        padded = (
            f"{text:{side}{width}}" for text, side, width in zip(texts, sides, widths, strict=True)
        )
        return (" " * indent + (" " * gap).join(padded)).rstrip()

    return "\n".join([line(columns), *(line(row) for row in cells)])
