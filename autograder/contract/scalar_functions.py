"""The scalar functions a hidden test hands to `numerical_gradient`.

A function cannot cross the sandbox boundary, so a case holds a
`ScalarFunction` (a name) and each side builds the function from
`SCALAR_FUNCTIONS`.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ScalarFunction:
    name: str

    def build(self):
        return SCALAR_FUNCTIONS[self.name]


def _sin_times_x(x):
    return float(np.sum(np.sin(x) * x))


def _cubic(x):
    return float(np.sum(x**3) + 2.0 * np.sum(x**2) - np.sum(x))


def _log_sum_exp(x):
    return float(np.log(np.sum(np.exp(x))))


SCALAR_FUNCTIONS = {"sin_times_x": _sin_times_x, "cubic": _cubic, "log_sum_exp": _log_sum_exp}
