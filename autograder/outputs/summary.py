"""The instructor's summary: a table per function, who to look at, and a plot."""

import io
from collections import Counter, defaultdict

from ..contract import Status
from .files import write_atomic


def write(out, results, course, run_report):
    by_item = defaultdict(list)
    for result in results:
        for item in result.items:
            by_item[(result.assignment, item.item)].append(item)
    order = [(a, f) for a, s in course.assignments.items() for f in s.functions
             if (a, f) in by_item]
    statuses = list(Status)
    late = [r for r in results if r.late_penalty]
    lines = ["# Grading summary", "",
             f"{len({r.student for r in results})} students, {len(results)} notebooks, "
             f"{sum(len(r.items) for r in results)} graded functions"
             + (f"; {len(late)} notebooks late" if late else "") + ".", ""]
    if run_report.enforcement:
        lines += [f"Sandbox: {run_report.enforcement}.", ""]
    lines += [f"{note}." if not note.endswith(".") else note for note in run_report.notes]
    lines += [""] if run_report.notes else []
    lines += ["![score distribution per function](summary.png)", "",
              "| assignment | function | mean | full marks | "
              + " | ".join(s.value for s in statuses) + " |",
              "| --- | --- | --- | --- | " + " | ".join("---" for _ in statuses) + " |"]
    for key in order:
        entries = by_item[key]
        counts = Counter(i.status for i in entries)
        mean = sum(i.score for i in entries) / len(entries)
        full = sum(1 for i in entries if i.score == i.max_score)
        lines.append(f"| {key[0]} | {key[1]} | {mean:.2f} / {entries[0].max_score:g} | "
                     f"{full}/{len(entries)} | "
                     + " | ".join(str(counts.get(s, 0)) for s in statuses) + " |")
    look = [(r, i) for r in results for i in r.items if i.status.needs_a_look]
    if look:
        lines += ["", "## Notebooks to look at", "",
                  "| student | assignment | function | status | message |",
                  "| --- | --- | --- | --- | --- |"]
        lines += [f"| {r.student} | {r.assignment} | {i.item} | {i.status.value} | "
                  f"{_cell(i.message)} |" for r, i in look]
    if run_report.grader_failures:
        lines += ["", "## Not graded (the grader's own failure; run the command again)", ""]
        lines += [f"- {s}/{a}: {m}" for s, a, m in run_report.grader_failures]
    if run_report.unattributed:
        lines += ["", "## Files not attributed to a student and assignment", ""]
        lines += [f"- {name}" for name in run_report.unattributed]
    write_atomic(out / "summary.md", "\n".join(lines) + "\n")
    _plot(out / "summary.png", order, by_item)


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")[:300]


def _plot(path, order, by_item):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{a[:2]} {f}" for a, f in order]
    full, partial, zero = [], [], []
    for key in order:
        entries = by_item[key]
        full.append(sum(1 for i in entries if i.score == i.max_score and i.max_score > 0))
        zero.append(sum(1 for i in entries if i.score == 0))
        partial.append(len(entries) - full[-1] - zero[-1])
    fig, ax = plt.subplots(figsize=(8, 0.35 * max(len(order), 1) + 1.5))
    y = range(len(order))
    ax.barh(y, full, color="0.2", label="full marks")
    ax.barh(y, partial, left=full, color="0.6", hatch="//", label="partial")
    ax.barh(y, zero, left=[a + b for a, b in zip(full, partial)], color="white",
            edgecolor="0.2", label="no marks")
    ax.set_yticks(list(y), labels)
    ax.invert_yaxis()
    ax.set_xlabel("students")
    ax.set_title("Score distribution per function")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6 / max(len(order), 1) - 0.04),
              ncol=3, fontsize="small", frameon=False)
    fig.tight_layout()
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    write_atomic(path, image.getvalue())
