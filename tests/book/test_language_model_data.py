"""Chapter 6's book page and notebook train the same model on the same text.

The notebook ships PyTorch's loss curve and held-out losses as numbers, so that a student
needs no torch; the book computes them with its executed torch code. Both hold a copy of
the corpus generator and of the training set-up (a student downloads one notebook). These
tests keep the copies equal, the shipped numbers equal to what the book's code computes,
and check the set-up's promises: no short chunk, a floor that is the program's entropy.
"""
import ast
import re

import numpy as np
import pytest
from grading_helpers import ROOT

BOOK = ROOT / "book" / "06_language_model.md"
NOTEBOOK = ROOT / "solutions" / "notebooks" / "06_language_model.py"
SHARED_FUNCTIONS = ["make_corpus", "encode", "chunks", "padded", "initial_params"]
SHARED_NAMES = ["WHO", "DID", "WHERE", "RHYMES", "text", "held_out", "chars", "V", "text_ids",
                "N_STREAMS", "LR", "STREAM", "stream_inputs", "stream_targets",
                "held_out_batch"]


def book_cells():
    """The code cells of the book page that compute (untagged or hide-input), in order;
    the remove-cell and remove-input cells only glue numbers and draw."""
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)```", BOOK.read_text(), re.S)
    return [cell.removeprefix(":tags: [hide-input]\n") for cell in cells
            if not cell.startswith((":tags: [remove", "---"))]


def top_level(source):
    """Function definitions and assignments of a module, as normalised source, by name."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = ast.unparse(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                for name in names:
                    if isinstance(name, ast.Name):
                        found[name.id] = ast.unparse(node)
    return found


def notebook_code():
    return "\n".join(line for line in NOTEBOOK.read_text().splitlines()
                     if not line.startswith("# %%"))


def shipped(name):
    tree = ast.parse(notebook_code())
    value = next(node.value.args[0] for node in tree.body if isinstance(node, ast.Assign)
                 and getattr(node.targets[0], "id", "") == name)
    return np.array(ast.literal_eval(value))


def test_book_and_notebook_share_the_corpus_and_the_set_up():
    book = top_level("\n".join(book_cells()))
    notebook = top_level(notebook_code())
    for name in SHARED_FUNCTIONS + SHARED_NAMES:
        assert name in book and name in notebook, f"{name} is missing from one of the two"
        assert book[name] == notebook[name], f"{name} differs between the book and the notebook"


@pytest.fixture(scope="module")
def book_run():
    """Run the book's cells up to its training of the vanilla RNN (a few seconds)."""
    namespace = {}
    for cell in book_cells():
        exec(compile(cell, str(BOOK), "exec"), namespace)
        if "held_out_loss" in namespace:
            return namespace
    raise AssertionError("the book's training cell defines no held_out_loss")


def test_the_notebooks_torch_numbers_are_the_books(book_run):
    np.testing.assert_allclose(shipped("TORCH_LOSSES"), book_run["losses"], rtol=0, atol=5e-7)
    np.testing.assert_allclose(shipped("TORCH_HELD_OUT"), book_run["held_out_loss"], rtol=0,
                               atol=5e-7)


def test_every_chunk_is_at_least_half_full(book_run):
    """An epoch ends with a padded chunk, never with a chunk of a character or two."""
    filled = [mask.sum(axis=1) for _, _, mask in book_run["chunks"]()]
    assert all((f == f[0]).all() for f in filled)
    assert min(f[0] for f in filled) >= book_run["T_CHUNK"] // 2
    assert sum(f.sum() for f in filled) == book_run["N_STREAMS"] * book_run["STREAM"]


def test_the_floor_is_the_entropy_of_the_programs_choices(book_run):
    """Summed over a poem, the program's loss is the log of the number of ways to write it:
    per couplet, two subjects, verbs and prepositions and one rhyming pair (by hand),
    less the first character, which nothing predicts."""
    WHO, DID, WHERE, RHYMES = (book_run[k] for k in ("WHO", "DID", "WHERE", "RHYMES"))
    per_couplet = 2 * np.log(len(WHO) * len(DID) * len(WHERE)) + np.log(len(RHYMES))
    for poem in book_run["held_out"]:
        first_letter = np.log(len(WHO) / sum(w[0] == poem[0] for w in WHO))
        losses, _ = book_run["program_losses"](poem)
        couplets = poem.count(".\n")
        assert losses.sum() + first_letter == pytest.approx(couplets * per_couplet, rel=1e-12)


def test_the_reference_numpy_model_follows_the_torch_curve(book_run):
    """The reference functions, with the notebook's loop, reach the book's losses."""
    from solutions.reference import adam_step, clip_by_global_norm, lm_loss_and_grads

    params = book_run["initial_params"]()
    moments = {k: (np.zeros_like(p), np.zeros_like(p)) for k, p in params.items()}
    losses, held_out, H = [], [], book_run["H_HIDDEN"]
    for _ in range(book_run["EPOCHS"]):
        h = np.zeros((book_run["N_STREAMS"], H))
        for ids, targets, mask in book_run["chunks"]():
            loss, grads, h = lm_loss_and_grads(params, ids, targets, mask, h)
            clipped, _ = clip_by_global_norm([grads[k] for k in params], book_run["MAX_NORM"])
            for key, g in zip(list(params), clipped):
                m, v = moments[key]
                params[key], m, v = adam_step(params[key], g, m, v, len(losses) + 1,
                                              book_run["LR"])
                moments[key] = (m, v)
            losses.append(loss)
        held_out.append(lm_loss_and_grads(params, *book_run["held_out_batch"],
                                          np.zeros((len(book_run["held_out"]), H)))[0])
    # torch's clip_grad_norm_ divides by the norm + 1e-6: the curves agree to ~1e-6.
    np.testing.assert_allclose(losses, book_run["losses"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(held_out, book_run["held_out_loss"], rtol=0, atol=1e-5)
    assert held_out[-1] < 0.36  # the notebook's stated bound
