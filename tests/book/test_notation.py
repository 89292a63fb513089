"""One notation everywhere: the chapters and notebooks use none of the retired symbols.

The course specification fixes one notation ("One notation everywhere"): math steps
are numbered from 1 (`x_1 .. x_T`, `h_0` the initial state) and code indexes from 0
(`x[:, t-1]` holds `x_t`); `a_t` is a pre-activation, `z_t` the output logits, `E` the
loss, `ℓ_n` the length of sequence `n`. Each symbol has one meaning across the course:
`τ` is the sampling temperature (the truncation length is `κ`, the clipping threshold
`γ`), `g_t` the candidate of the LSTM and the GRU (a gradient is a `d` name: `dθ`,
`dh^out_t`), and the letters of the notation page are not reused for something else.
Each pattern below is a way of writing that the rule retires; the test reads the math of
every chapter page and authored notebook (the text between `$` signs, in prose, captions
and the labels of plots) and the notation page's tables.
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
    # Chapter 6 truncates, clips and samples with a temperature: tau is the temperature alone.
    (r"\\tau\s*H\b|(?<![\\\w])t\s*-\s*\\tau(?![a-zA-Z])|_\{?\\tau(?![a-zA-Z])|\^\{?\(\\tau\)",
     "the truncation length is \\kappa (T_CHUNK in chapter 6); \\tau is the temperature"),
    (r"\\d?frac\{\\tau\}|>\s*\\tau(?![a-zA-Z])|\[-\\tau(?![a-zA-Z])|\\eta\s*(?:\\,)?\s*\\tau(?![a-zA-Z])",
     "the clipping threshold is \\gamma (max_norm); \\tau is the temperature"),
    # g_t is the candidate of the LSTM and the GRU: a gradient is a d name.
    (r"(?<![\\\w])g_\{?[pP0]\}?(?![\w])|(?<![\\\w])g\s*=\s*\(|\\\|\s*g\s*\\\||\\lVert\s*g(?![a-zA-Z])"
     r"|\\(?:wide)?hat\s*\{?g(?![a-zA-Z])|(?<![\\\w])g_t\s*=\s*dz|dh_\{?T\}?\s*=\s*g|W_h\s*\+\s*g_",
     "a gradient is a d name (d\\theta, dh^{out}_t, dW_h); g_t is the candidate"),
    # The other letters of the notation page keep their one meaning.
    (r"(?<![\\\w])v\^\\top\s*h|\\nabla\s*f\s*\\cdot\s*v(?![\w])|\\langle\s*h_t,\s*r_t",
     "a fixed random vector is \\omega (v_s is Adam's second moment, r_t the reset gate)"),
    (r"(?<![\\\w])u\s*\\odot\s*v(?![\w])|(?<![\\\w])u\s*=\s*v\s*M|du\^\\top\s*v",
     "generic arrays are A, B (u_t is the update gate, v_s Adam's, M the count of positions)"),
    (r"\\sigma_\{?\\max", "\\sigma is the logistic sigmoid; the spectral norm is \\|W_h\\|_2"),
    (r"(?<![\\\w])V\s*\\Lambda|(?<![\\\w])V\^\{-1\}",
     "V is the vocabulary size; the eigenvectors are U"),
    (r"(?<![\\\w])y_\{?t\}?\s*=\s*(?:\\bigl)?\[\s*(?:\\,\s*)?\\overset|(?<![\\\w])p\(y_t\s*\\mid",
     "y_t is the output probabilities: the bidirectional output is "
     "\\overset{\\leftrightarrow}{h}_t, the correct tag y^\\star_t"),
    (r"(?<![\\\w])u_\{?i\}?(?![\w])",
     "the sampler's uniform numbers are \\xi; u_t is the update gate"),
    (r"(?<![\\\w])m\s*=\s*\\max|(?<![\\\w])z(?:_j)?\s*-\s*m(?![\w])",
     "the shift of a stable softmax is \\bar z; m_s is Adam's first moment"),
    (r"\\varepsilon\^\{?p\}?(?![\w])|(?<![\\\w])p\s*=\s*[12](?![\d.])",
     "p is a probability; the order of a difference's error is q"),
    (r"(?<![\\\w])\|a\||\|a\s*-\s*n\|",
     "a_t is the pre-activation and n the example: a number is \\lambda, gradients d\\theta"),
]
# Patterns in the code-index column of the notation tables: code indexes from 0.
RETIRED_CODE = [
    (r"`(x|hs|cs|dhs|logits|ys)\[:, t\]`", "x_t is x[:, t-1] (code indexes from 0)"),
    (r"`targets\[n, t\]`", "y*_{n,t} is targets[n, t-1] (code indexes from 0)"),
]
# Jupytext comments: drop the leading "# " so that notebook markdown reads as Markdown.
_COMMENT = re.compile(r"^# ?", re.M)
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|```\{math\}(.+?)```", re.S)
# Math in the Python strings of a code cell (captions, plot labels) doubles its backslashes.
_DOUBLED = re.compile(r"\\\\(?=[A-Za-z])")
# tau is the sampling temperature: only the pages that sample with it may use it.
TEMPERATURE_PAGES = {"06_language_model.md", "06_language_model.py", "notation.md"}


def math_of(path):
    """Every math fragment of a chapter page or authored notebook, with its line number."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        text = _COMMENT.sub("", text)
    for match in _MATH.finditer(text):
        fragment = next(group for group in match.groups() if group is not None)
        yield text.count("\n", 0, match.start()) + 1, _DOUBLED.sub(r"\\", fragment)


@pytest.mark.parametrize("path", CHAPTERS + NOTEBOOKS, ids=lambda p: p.name)
def test_math_uses_no_retired_symbol(path):
    found = [f"{path.name}:{line}: `{fragment.strip()[:80]}`: {why}"
             for line, fragment in math_of(path)
             for pattern, why in RETIRED_MATH if re.search(pattern, fragment)]
    assert not found, "retired notation (see book/notation.md):\n" + "\n".join(found)


@pytest.mark.parametrize("path", CHAPTERS + NOTEBOOKS, ids=lambda p: p.name)
def test_tau_is_the_temperature_alone(path):
    """A truncation length or a clipping threshold written tau is caught here even when
    the fragment is the bare symbol ("chunks of $\\tau$ steps")."""
    if path.name in TEMPERATURE_PAGES:
        return
    found = [f"{path.name}:{line}: `{fragment.strip()[:80]}`" for line, fragment in math_of(path)
             if re.search(r"\\tau(?![a-zA-Z])", fragment)]
    assert not found, ("tau is the sampling temperature (chapter 6); the truncation length "
                       "is \\kappa and the clipping threshold \\gamma:\n" + "\n".join(found))


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
               r"(1 - u_t) \odot n_t",
               # a truncation tau, a clipping tau, a gradient g (chapters 2, 3 and 6)
               r"O(N\tau H)", r"t - \tau < k \le t", r"\lVert g_\tau - g \rVert",
               r"dW_h^{(\tau)}", r"g_p \cdot \dfrac{\tau}{\|g\|}", r"\|g\| > \tau",
               r"[-\tau, \tau]", r"\eta\,\tau", r"\sum_{p=1}^{P} \|g_p\|^2",
               r"g = (g_1, \dots, g_P)", r"\lVert g \rVert = \sqrt{\textstyle\sum_k g_k^2}",
               r"\sqrt{\sum \lVert g \rVert^2}", r"\operatorname{rel}(g, \hat g)",
               r"\hat g_i", r"g_t = dz_t W_y", r"dh_T = g_T", r"dh_{t-1} = da_t\, W_h + g_{t-1}",
               r"g_0 = 0",
               # the other letters of the notation page
               r"E = v^\top h_T", r"\nabla f \cdot v", r"\langle h_t, r_t \rangle",
               r"u \odot v", r"u = v M^\top", r"dM = du^\top v", r"\sigma_{\max}(W_h)",
               r"W_h = V \Lambda V^{-1}", r"W_h^{\,n} = V \Lambda^{n} V^{-1}",
               r"y_t = \bigl[\, \overset{\rightarrow}{h}_t \,;\,",
               r"p(y_t \mid x_1, \dots, x_t)", r"u_i \in [0, 1)", r"m = \max_j z_j",
               r"\log \mathrm{softmax}(z) = (z - m) - \log \sum_j e^{z_j - m}",
               r"C \varepsilon^{p}", r"p = 2", r"|a| < 1", r"\max |a - n|"]
    current = [r"\frac{\partial E}{\partial h_t}", r"\ell_n", r"\overrightarrow{h}_{\ell}",
               r"x_1, \dots, x_t", r"h_0", r"\overleftarrow{h}_1", r"h_t = \tanh(a_t)",
               r"z_t = h_t W_y^\top + b_y", r"\mathrm{LSTM}",
               r"x_{10}", r"\overleftarrow{h}_{\ell_n + 1}",
               r"x_t = \mathbf{E}[w_t]", r"c_t = f_t \odot c_{t-1} + i_t \odot g_t",
               r"c_{t+1}", r"\mu_{n,t}", r"m_s = \beta_1 m_{s-1}", r"\hat v_s",
               r"1 - \beta_2^{\,s}", r"g_t = \tanh(a^x_g + r_t \odot a^h_g)",
               r"u_t = \sigma(a^x_u + a^h_u)", r"\sum_{n=1}^{N}",
               r"h_{t-1}", r"\max_j z_j", r"W_{h,g}",
               # tau, kappa, gamma; g_t the candidate, gradients d names
               r"p = \operatorname{softmax}(z / \tau)", r"\tau \to 0", r"\tau = 1",
               r"z / \tau", r"O(N\kappa H)", r"t - \kappa < k \le t",
               r"\lVert dW_h^{(\kappa)} - dW_h \rVert / \lVert dW_h \rVert",
               r"d\theta \cdot \dfrac{\gamma}{\|d\theta\|}", r"\|d\theta\| > \gamma",
               r"[-\gamma, \gamma]", r"\eta\,\gamma", r"\|d\theta\|^2 = \|dW_x\|^2 + \|db\|^2",
               r"\operatorname{rel}(d\theta, \widehat{d\theta})", r"\widehat{d\theta}_i",
               r"dh_t^{\text{out}} = dz_t W_y", r"dh_T = dh_T^{\text{out}}",
               r"dh_{t-1} = da_t\, W_h + dh_{t-1}^{\text{out}}", r"dh_0^{\text{out}} = 0",
               r"da_g = dg \odot (1 - g_t^2)", r"[\,r \mid u \mid g\,]",
               r"h_t = (1 - u_t) \odot g_t + u_t \odot h_{t-1}", r"c_t \approx c_{t-1} + g_t",
               # the other letters
               r"E = \omega^\top h_T", r"\nabla f \cdot \omega", r"\langle h_t, \omega_t \rangle",
               r"A \odot B", r"B = A W^\top", r"dW = dB^\top A", r"\|W_h\|_2^{\,T-k}",
               r"f_t = \sigma(a_f)", r"W_h = U \Lambda U^{-1}", r"K = V", r"V - 1",
               r"\overset{\leftrightarrow}{h}_t = \bigl[\, \overset{\rightarrow}{h}_t \,;\,"
               r" \overset{\leftarrow}{h}_t \,\bigr]", r"p(y^\star_t \mid x_1, \dots, x_t)",
               r"p(x_{t+1} \mid x_1, \dots, x_t)", r"\xi \in [0, 1)", r"u_t \approx 0.95",
               r"\bar z = \max_j z_j", r"(z - \bar z) - \log \sum_j e^{z_j - \bar z}",
               r"m_s = (1 - \beta_1^{\,s})\, d\theta", r"C \varepsilon^{q}", r"q = 2",
               r"p_0 + \dots + p_k", r"p_{y^\star} \approx 1", r"|\lambda| < 1",
               r"\max_i |d\theta_i - \widehat{d\theta}_i|", r"\lambda_j^{\,n}"]
    for fragment in retired:
        assert any(re.search(p, fragment) for p, _ in RETIRED_MATH), fragment
    for pattern, why in RETIRED_MATH:   # every pattern retires something listed above
        assert any(re.search(pattern, fragment) for fragment in retired), why
    for fragment in current:
        assert not any(re.search(p, fragment) for p, _ in RETIRED_MATH), fragment
