"""Glue a number into the book's prose at the precision the text means.

The prose refers to a value computed in a notebook with a ``{glue:text}`` role, e.g.
``{glue:text}`ch01_top_share:.1f` ``; myst-nb stores the value's ``repr`` in the notebook
and nbval compares it on every test run. A float's full ``repr`` carries the last bits of
its arithmetic, which differ between CPUs (NumPy and OpenBLAS pick SIMD kernels per
machine), so :func:`glue` stores floats rounded to the precision the text shows and refuses
a float whose precision was not stated.
"""

from __future__ import annotations

import importlib.util
import math
import numbers

from llmhistory._validate import check_int

__all__ = ["glue", "rounded"]


def rounded(value: object, *, decimals: int | None = None, sig: int | None = None) -> object:
    """Return ``value`` ready to store: floats rounded, integers and text unchanged.

    Parameters
    ----------
    value : int, float, str, bool or numpy scalar
        The value to store.
    decimals : int, optional
        Round a float to this many digits after the decimal point (as the text's ``.1f``
        or ``.0f`` format shows it; for a percentage format ``.1%`` pass 3).
    sig : int, optional
        Round a float to this many significant digits (as the text's ``.2e`` shows 3).

    Returns
    -------
    int, float, str or bool
        A plain Python value; a float is rounded, integral numbers become ``int``.

    Raises
    ------
    TypeError
        If ``value`` is a float and neither ``decimals`` nor ``sig`` is given, or if it is
        not a number or a string.
    ValueError
        If both ``decimals`` and ``sig`` are given, ``sig < 1``, or the float is not finite.

    Examples
    --------
    >>> rounded(99.99910024571882, decimals=1)
    100.0
    >>> rounded(3.1499e23, sig=3)
    3.15e+23
    >>> rounded(12)
    12
    >>> rounded(0.8175744761936437)
    Traceback (most recent call last):
    ...
    TypeError: value=0.8175744761936437 is a float: pass decimals= or sig= (the precision shown)
    """
    if decimals is not None and sig is not None:
        raise ValueError("pass decimals= or sig=, not both")
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a number or a string, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"value must be finite, got {value}")
    if decimals is not None:
        result = round(value, check_int("decimals", decimals))
    elif sig is not None:
        result = float(f"{value:.{check_int('sig', sig, minimum=1) - 1}e}")
    else:
        raise TypeError(f"value={value!r} is a float: pass decimals= or sig= (the precision shown)")
    if not math.isfinite(result):
        raise ValueError(f"value={value!r} rounds beyond the largest float")
    return result + 0.0  # -0.0 becomes 0.0: a value near zero must not store its sign noise


def glue(name: str, value: object, *, decimals: int | None = None, sig: int | None = None) -> None:
    """Store ``value`` under ``name`` for the prose's ``{glue}`` roles, rounded as the text shows.

    Floats are rounded by :func:`rounded` first, so the notebook stores what the text shows,
    not the last bits of the arithmetic. The value is not displayed in the notebook. Outside
    a Jupyter Book toolchain (myst-nb not installed, e.g. in Colab) nothing is stored; the
    value is still checked.

    Parameters
    ----------
    name : str
        The name the prose refers to, conventionally ``chNN_what``.
    value, decimals, sig
        As for :func:`rounded`.

    Raises
    ------
    ValueError
        If ``name`` is not an identifier; see :func:`rounded` for the value's errors.

    Examples
    --------
    >>> glue("demo_share", 48.977544912719296, decimals=0)  # stores 49.0
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier such as 'ch01_top_share', got {name!r}")
    stored = rounded(value, decimals=decimals, sig=sig)
    if importlib.util.find_spec("myst_nb") is None:  # pragma: no cover - e.g. in Colab
        return
    _display_record(name, stored)


#: The MIME-type prefix of a glued value that is stored, not shown (``myst_nb``'s GLUE_PREFIX).
GLUE_PREFIX = "application/papermill.record/"


def _display_record(name: str, value: object) -> None:
    """Display ``value`` as myst-nb's ``glue(name, value, display=False)`` does.

    These few lines copy myst-nb's, instead of calling it, because importing ``myst_nb`` costs
    3.5 s in a fresh kernel (it imports nbformat, jsonschema and rfc3987-syntax, which builds
    a parser at import): measured 3.6 s of a chapter's 6 s under nbval, in every chapter. A
    test checks that both write the same output (``tests/test_glue.py``).
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + key: data for key, data in bundle.items()}, raw=True, metadata=metadata)
