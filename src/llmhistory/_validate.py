"""Validation helpers shared by every public function.

Each helper checks one argument and raises ``TypeError`` (wrong kind of value) or
``ValueError`` (right kind, disallowed value) with a message that names the argument and
states what is allowed, e.g. ``"kv_heads must be a positive integer, got 0"``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def check_int(name: str, value: object, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking it is an integer ``>= minimum``.

    Booleans are refused (``True`` is not a size).

    >>> check_int("layers", 32, minimum=1)
    32
    >>> check_int("layers", 0, minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: layers must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        allowed = "an integer" if minimum is None else f"an integer >= {minimum}"
        raise TypeError(f"{name} must be {allowed}, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` as an ``int`` after checking it is an integer ``>= 1``."""
    return check_int(name, value, minimum=1)


def check_float(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
    allow_inf: bool = False,
) -> float:
    """Return ``value`` as a ``float`` after checking it is a real number in range.

    NaN is always refused; infinities only with ``allow_inf=True``.

    >>> check_float("temperature", 0.7, minimum=0.0, strict_minimum=True)
    0.7
    >>> check_float("flops", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: flops must be a finite number, got nan
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if minimum is not None:
        if strict_minimum and not value > minimum:
            raise ValueError(f"{name} must be > {minimum}, got {value}")
        if not strict_minimum and value < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_positive_float(name: str, value: object) -> float:
    """Return ``value`` as a ``float`` after checking it is finite and ``> 0``."""
    return check_float(name, value, minimum=0.0, strict_minimum=True)


def check_str(name: str, value: object, *, allow_empty: bool = False) -> str:
    """Return ``value`` after checking it is a ``str`` (non-blank unless ``allow_empty``)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value


def check_choice(name: str, value: object, allowed: Sequence[object]) -> object:
    """Return ``value`` after checking it is one of ``allowed``."""
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def as_float_array(
    name: str,
    value: object,
    *,
    ndim: int | tuple[int, ...] | None = None,
    allow_neg_inf: bool = False,
    allow_empty: bool = False,
) -> np.ndarray:
    """Return ``value`` as a float64 array after checking its rank and that it holds no NaN.

    ``+inf`` is always refused; ``-inf`` only with ``allow_neg_inf=True`` (masked logits).

    >>> as_float_array("logits", [1, 2, 3], ndim=1)
    array([1., 2., 3.])
    >>> as_float_array("logits", [[1.0]], ndim=1)
    Traceback (most recent call last):
    ...
    ValueError: logits must be a 1-D array, got shape (1, 1)
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of real numbers ({error})") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            ranks = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be a {ranks} array, got shape {array.shape}")
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if np.isnan(array).any():
        raise ValueError(f"{name} must not contain NaN")
    if np.isposinf(array).any() or (np.isneginf(array).any() and not allow_neg_inf):
        allowed_inf = "finite values or -inf" if allow_neg_inf else "finite values"
        raise ValueError(f"{name} must contain {allowed_inf} only")
    return array


def as_int_array(name: str, value: object, *, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as an int64 array after checking every entry is an integer.

    >>> as_int_array("token_ids", [3, 1, 4], ndim=1)
    array([3, 1, 4])
    >>> as_int_array("token_ids", [1.5], ndim=1)
    Traceback (most recent call last):
    ...
    TypeError: token_ids must hold integers, got dtype float64
    """
    array = np.asarray(value)
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.integer) or (array.size == 0 and array.dtype == np.float64)
    ):
        raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {array.shape}")
    return array.astype(np.int64)


def check_rng(name: str, value: object) -> np.random.Generator:
    """Return ``value`` after checking it is a ``numpy.random.Generator``."""
    if not isinstance(value, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)), "
            f"got {type(value).__name__}"
        )
    return value


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` as a ``bool`` after checking it is ``True`` or ``False``.

    Integers such as ``1`` are refused: a flag must be stated, not implied.

    >>> check_bool("license_ok", True)
    True
    >>> check_bool("license_ok", 1)
    Traceback (most recent call last):
    ...
    TypeError: license_ok must be True or False, got int 1
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def as_positive_float_array(name: str, value: object, *, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array after checking every entry is finite and ``> 0``.

    >>> as_positive_float_array("flops", [1e21, 1e23])
    array([1.e+21, 1.e+23])
    >>> as_positive_float_array("flops", [1.0, 0.0])
    Traceback (most recent call last):
    ...
    ValueError: flops must contain finite values > 0 only, got min 0.0
    """
    array = as_float_array(name, value, ndim=ndim)
    if (array <= 0).any():
        raise ValueError(f"{name} must contain finite values > 0 only, got min {array.min()}")
    return array


def as_bool_array(name: str, value: object, *, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a bool array after checking it holds only booleans or 0/1 values.

    >>> as_bool_array("valid", [1, 1, 0], ndim=1)
    array([ True,  True, False])
    >>> as_bool_array("valid", [0.5], ndim=1)
    Traceback (most recent call last):
    ...
    ValueError: valid must hold booleans or 0/1 values, got [0.5]
    """
    array = np.asarray(value)
    if array.dtype != bool and not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        raise TypeError(
            f"{name} must be an array of booleans or 0/1 values, got dtype {array.dtype}"
        )
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {array.shape}")
    if array.dtype != bool:
        bad = array[(array != 0) & (array != 1)]
        if bad.size:
            raise ValueError(f"{name} must hold booleans or 0/1 values, got {bad[:3].tolist()}")
    return array.astype(bool)


def check_callable(name: str, value: object) -> object:
    """Return ``value`` after checking it can be called (a function, lambda or class).

    >>> check_callable("func", len) is len
    True
    >>> check_callable("func", 3)
    Traceback (most recent call last):
    ...
    TypeError: func must be callable (a function), got int 3
    """
    if not callable(value):
        raise TypeError(
            f"{name} must be callable (a function), got {type(value).__name__} {value!r}"
        )
    return value


def check_instance(name: str, value: object, cls: type[T]) -> T:
    """Return ``value`` after checking it is an instance of ``cls`` (a record, config or model).

    >>> from fractions import Fraction
    >>> check_instance("ratio", Fraction(1, 2), Fraction)
    Fraction(1, 2)
    >>> check_instance("ratio", 0.5, Fraction)
    Traceback (most recent call last):
    ...
    TypeError: ratio must be a Fraction, got float
    """
    if not isinstance(value, cls):
        article = "an" if cls.__name__[:1].lower() in "aeiou" else "a"
        raise TypeError(f"{name} must be {article} {cls.__name__}, got {type(value).__name__}")
    return value


def check_sequence(
    name: str, value: object, item: type | str = "value", *, allow_empty: bool = False
) -> tuple:
    """Return ``value`` as a tuple after checking it is a non-empty sequence such as a list.

    A string is refused (it is a sequence of characters, never what is meant). ``item`` names
    one element in the messages; when it is a type, every element must be an instance of it.

    >>> check_sequence("gpus", [24, 80], "size in GiB")
    (24, 80)
    >>> check_sequence("steps", [], "step")
    Traceback (most recent call last):
    ...
    ValueError: steps must hold at least one step
    >>> check_sequence("sizes", [1, "2"], int)
    Traceback (most recent call last):
    ...
    TypeError: sizes[1] must be an int, got str
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence (list or tuple), got {type(value).__name__}")
    label = item if isinstance(item, str) else item.__name__
    if not value and not allow_empty:
        raise ValueError(f"{name} must hold at least one {label}")
    if not isinstance(item, str):
        for i, element in enumerate(value):
            check_instance(f"{name}[{i}]", element, item)
    return tuple(value)


def check_mapping(
    name: str, value: object, item: str = "entry", *, allow_empty: bool = False
) -> dict:
    """Return ``value`` as a dict after checking it maps non-blank str labels to ``item`` values.

    ``item`` names one value in the messages. Empty mappings are refused unless ``allow_empty``.

    >>> check_mapping("loads", {"top-2": [3, 1]}, "series")
    {'top-2': [3, 1]}
    >>> check_mapping("loads", [("top-2", [3, 1])], "series")
    Traceback (most recent call last):
    ...
    TypeError: loads must be a mapping {label: series}, got list
    """
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping {{label: {item}}}, got {type(value).__name__}")
    if not value and not allow_empty:
        raise ValueError(f"{name} must hold at least one {item}")
    for key in value:
        check_str(f"{name} key", key)
    return dict(value)
