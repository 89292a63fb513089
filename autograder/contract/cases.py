"""The cases of the hidden tests: seeds and sizes, fixed so grading is deterministic.

The main suite uses moderate sizes with D, H and K all different (a
transposed weight then fails loudly); the edge suite holds
N = T = D = H = K = 1, inputs large enough to saturate tanh and sigmoid, and
uneven sequence lengths.
"""

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Suite(StrEnum):
    MAIN = "main"
    EDGE = "edge"


@dataclass(frozen=True)
class Case:
    label: str
    seed: int
    N: int = 3
    T: int = 4
    D: int = 5
    H: int = 2
    K: int = 6
    scale: float = 1.0


SUITES = {
    Suite.MAIN: (
        Case("a small batch", 11, N=3, T=4, D=5, H=2, K=6),
        Case("a wider batch", 12, N=4, T=3, D=2, H=6, K=3),
        Case("a longer sequence", 13, N=2, T=7, D=3, H=4, K=5, scale=0.7),
    ),
    Suite.EDGE: (
        Case("N = T = D = H = K = 1", 21, N=1, T=1, D=1, H=1, K=1),
        Case("H = 1 over a long sequence", 22, N=2, T=6, D=3, H=1, K=2),
        Case("saturating inputs (|pre-activations| in the tens)", 23, N=3, T=3, D=4, H=3, K=4,
             scale=6.0),
    ),
}


def cases(function, suite):
    """Yield (case, args) for a `GradedFunction` in `suite`."""
    for case in SUITES[Suite(suite)]:
        yield case, function.make(np.random.default_rng(case.seed), case)
