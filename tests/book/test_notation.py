"""One notation everywhere: the chapters and notebooks use none of the retired symbols.

The course specification fixes one notation ("One notation everywhere"): math steps
are numbered from 1 (`x_1 .. x_T`, `h_0` the initial state) and code indexes from 0
(`x[:, t-1]` holds `x_t`); `a_t` is a pre-activation, `z_t` the output logits, `E` the
loss, `ℓ_n` the length of sequence `n`. Each pattern below is a way of writing that
the rule retires; the test reads the math of every chapter page and authored notebook
(the text between `$` signs) and the notation page's tables.
"""

import re

import pytest
from grading_helpers import ROOT

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md")) + [ROOT / "book" / "notation.md",
                                                               ROOT / "book" / "intro.md"]
NOTEBOOKS = sorted((ROOT / "solutions" / "notebooks").glob("[0-9][0-9]_*.py"))

# (pattern inside math, why it is retired)
RETIRED_MATH = [
    (r"\\partial\s*L\b", "the loss is E, not L"),
    (r"(?<![\\\w])L\s*=\s*v\^", "the loss is E, not L"),
    (r"(?<![\\\w])L_n\b|(?<![\\\w])L\s*-\s*1\b|_\{L\b|_\{?L\}?(?![a-zA-Z])",
     "a sequence length is \\ell_n (or \\ell), not L"),
    (r"(?<![\\\w])[xy]_\{?0\}?\s*,\s*\\dots", "steps are numbered from 1: x_1, ..., x_T"),
    (r"(?<![\\\w])x_\{?0\}?(?![\d])", "steps are numbered from 1: x_1 is the first input"),
    (r"_\{-1\}", "steps are numbered from 1 and the initial state is h_0"),
    (r"\\overleftarrow\{h\}_\{?0\}?(?![\d])",
     "the backward LSTM's final state is at step 1, not 0"),
    (r"(?<![\\\w])z_t\s*=\s*W_x|\\tanh\(z_t\)", "the pre-activation is a_t; z_t is the logits"),
    (r"(?<![\\\w])z_\{t,\s*i\}", "the pre-activation is a_t; z_t is the logits"),
    (r"\\mathbf\{E\}\[c|(?<![\\\w])c_\{n,\s*t\}|y\^\\star_\{?t\}?\s*=\s*c_",
     "a character id is w_t; c_t is the LSTM's cell state"),
    (r"(?<![\\\w])m_\{n,\s*t\}", "the mask is \\mu_{n,t}; m_s is Adam's first moment"),
    (r"(?<![\\\w])(?:\\hat\s*)?[mv]_\{?t(?:-1)?\}?(?![\w])|\\beta_[12]\^\{?(?:\\,)?\s*t\b",
     "Adam counts its updates with s; t is a time step"),
    (r"(?<![\\\w])n_\{?t\}?(?![\w])|a\^[xh]_\{?[nz]\}?(?![\w])",
     "the GRU's candidate is g_t and its update gate u_t (n numbers the examples, z_t is "
     "the logits)"),
]
# Patterns in the code-index column of the notation tables: code indexes from 0.
RETIRED_CODE = [
    (r"`(x|hs|cs|dhs|logits|ys)\[:, t\]`", "x_t is x[:, t-1] (code indexes from 0)"),
    (r"`targets\[n, t\]`", "y*_{n,t} is targets[n, t-1] (code indexes from 0)"),
]
# Jupytext comments: drop the leading "# " so that notebook markdown reads as Markdown.
_COMMENT = re.compile(r"^# ?", re.M)
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|```\{math\}(.+?)```", re.S)


def math_of(path):
    """Every math fragment of a chapter page or authored notebook, with its line number."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        text = _COMMENT.sub("", text)
    for match in _MATH.finditer(text):
        fragment = next(group for group in match.groups() if group is not None)
        yield text.count("\n", 0, match.start()) + 1, fragment


@pytest.mark.parametrize("path", CHAPTERS + NOTEBOOKS, ids=lambda p: p.name)
def test_math_uses_no_retired_symbol(path):
    found = [f"{path.name}:{line}: `{fragment.strip()[:80]}`: {why}"
             for line, fragment in math_of(path)
             for pattern, why in RETIRED_MATH if re.search(pattern, fragment)]
    assert not found, "retired notation (see book/notation.md):\n" + "\n".join(found)


@pytest.mark.parametrize("path", CHAPTERS + NOTEBOOKS, ids=lambda p: p.name)
def test_code_indices_follow_the_math(path):
    text = path.read_text(encoding="utf-8")
    found = [f"{path.name}: {m.group(0)}: {why}" for pattern, why in RETIRED_CODE
             for m in re.finditer(pattern, text)]
    assert not found, "\n".join(found)


def test_the_retired_patterns_catch_what_they_retire():
    """Each pattern recognises the notation it retires and leaves the current one alone."""
    retired = [r"\frac{\partial L}{\partial h_t}", r"L_n", r"h_{L-1}", r"x_0, \dots, x_t",
               r"\overrightarrow{h}_{-1}", r"\overleftarrow{h}_0", r"h_t = \tanh(z_t)",
               r"z_{t,i}", r"L = v^\top h_T",
               r"x_t = \mathbf{E}[c_t]", r"c_{n,t} = v", r"y^\star_t = c_{t+1}",
               r"\sum_{n,t} m_{n,t}", r"m_t = \beta_1 m_{t-1}", r"\hat m_t", r"\hat v_t",
               r"1 - \beta_2^{\,t}", r"\beta_1^t", r"n_t = \tanh", r"a^x_n", r"a^h_z",
               r"(1 - u_t) \odot n_t"]
    current = [r"\frac{\partial E}{\partial h_t}", r"\ell_n", r"\overrightarrow{h}_{\ell}",
               r"x_1, \dots, x_t", r"h_0", r"\overleftarrow{h}_1", r"h_t = \tanh(a_t)",
               r"z_t = h_t W_y^\top + b_y", r"\mathrm{LSTM}",
               r"x_{10}", r"\overleftarrow{h}_{\ell_n + 1}",
               r"x_t = \mathbf{E}[w_t]", r"c_t = f_t \odot c_{t-1} + i_t \odot g_t",
               r"c_{t+1}", r"\mu_{n,t}", r"m_s = \beta_1 m_{s-1}", r"\hat v_s",
               r"1 - \beta_2^{\,s}", r"g_t = \tanh(a^x_g + r_t \odot a^h_g)",
               r"u_t = \sigma(a^x_u + a^h_u)", r"\sum_{n=1}^{N}", r"v^\top h_T",
               r"h_{t-1}", r"\max_j z_j", r"W_{h,g}"]
    for fragment in retired:
        assert any(re.search(p, fragment) for p, _ in RETIRED_MATH), fragment
    for fragment in current:
        assert not any(re.search(p, fragment) for p, _ in RETIRED_MATH), fragment
