"""The instructor's summary: a table per function and a score-distribution plot."""

from collections import Counter, defaultdict

STATUSES = ("ok", "wrong", "error", "timeout", "memory", "crashed", "tampered", "missing",
            "invalid")


def write(out, rows, course, ignored=()):
    by_item = defaultdict(list)
    for _student, assignment, item, score, max_score, status, _message in rows:
        by_item[(assignment, item)].append((float(score), float(max_score), status))
    order = [(a, f) for a, c in course.assignments.items() for f in c.functions
             if (a, f) in by_item]
    lines = ["# Grading summary", "",
             f"{len({r[0] for r in rows})} students, "
             f"{len({(r[0], r[1]) for r in rows})} notebooks, {len(rows)} graded functions.",
             "", "![score distribution per function](summary.png)", "",
             "| assignment | function | mean | full marks | " + " | ".join(STATUSES) + " |",
             "| --- | --- | --- | --- | " + " | ".join("---" for _ in STATUSES) + " |"]
    for key in order:
        entries = by_item[key]
        counts = Counter(s for _, _, s in entries)
        mean = sum(s for s, _, _ in entries) / len(entries)
        full = sum(1 for s, m, _ in entries if s == m)
        lines.append(f"| {key[0]} | {key[1]} | {mean:.2f} / {entries[0][1]:g} | "
                     f"{full}/{len(entries)} | "
                     + " | ".join(str(counts.get(s, 0)) for s in STATUSES) + " |")
    if ignored:
        lines += ["", "Ignored (not a notebook of this course):", ""]
        lines += [f"- {name}" for name in ignored]
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    _plot(out / "summary.png", order, by_item)


def _plot(path, order, by_item):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{a[:2]} {f}" for a, f in order]
    full, partial, zero = [], [], []
    for key in order:
        entries = by_item[key]
        full.append(sum(1 for s, m, _ in entries if s == m and m > 0))
        zero.append(sum(1 for s, _, _ in entries if s == 0))
        partial.append(len(entries) - full[-1] - zero[-1])
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(order) + 1.5))
    y = range(len(order))
    ax.barh(y, full, color="0.2", label="full marks")
    ax.barh(y, partial, left=full, color="0.6", hatch="//", label="partial")
    ax.barh(y, zero, left=[a + b for a, b in zip(full, partial)], color="white",
            edgecolor="0.2", label="no marks")
    ax.set_yticks(list(y), labels)
    ax.invert_yaxis()
    ax.set_xlabel("students")
    ax.set_title("Score distribution per function")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6 / len(order) - 0.04), ncol=3,
              fontsize="small", frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
