"""Checks of the planning functions' input: each failure is a ValueError that names the problem."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray


def nonnegative_array(name: str, value: ArrayLike) -> NDArray[np.float64]:
    """`value` as a float array; ValueError naming `name` if any entry is negative or not finite."""
    array = np.asarray(value, dtype=np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: every value must be a finite number")
    if (array < 0).any():
        if array.ndim == 0:
            raise ValueError(f"{name} must not be negative, not {float(array)!r}")
        where = np.argwhere(array < 0)[0]
        index = tuple(int(i) for i in where) if array.ndim > 1 else int(where[0])
        raise ValueError(f"{name}: values must not be negative (the first negative is at {index})")
    return array


def positive_number(name: str, value: float) -> float:
    """`value` as a float; ValueError naming `name` unless it is a finite number > 0."""
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0, not {value!r}")
    return number


def nonnegative_number(name: str, value: float) -> float:
    """`value` as a float; ValueError naming `name` unless it is a finite number >= 0."""
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number of at least 0, not {value!r}")
    return number


def fraction(name: str, value: float, *, allow_one: bool = True) -> float:
    """`value` as a float in [0, 1] (or [0, 1) when `allow_one` is false)."""
    number = float(value)
    upper_ok = number <= 1 if allow_one else number < 1
    if not (math.isfinite(number) and number >= 0 and upper_ok):
        bound = "1]" if allow_one else "1)"
        raise ValueError(f"{name} must be within [0, {bound}, not {value!r}")
    return number


def same_shape(
    names: tuple[str, str], first: NDArray[np.generic], second: NDArray[np.generic]
) -> None:
    """ValueError naming both arrays unless they have the same shape."""
    if first.shape != second.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape, "
            f"not {first.shape} and {second.shape}"
        )
