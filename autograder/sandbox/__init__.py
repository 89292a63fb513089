"""Runs code: one notebook's cells in a bubblewrap sandbox of its own, under limits.

It knows nothing of judging or of the course: a cell that asks for a check
or a reference value is answered by the `Host` the layer above hands to
`NotebookRun`. It imports nothing of the grader but `autograder.contract`.

- `bwrap`, `seccomp`: the sandbox's walls; `limits`: time, memory, processes;
- `process`: one sandbox process and the pool that starts them ahead;
- `notebook`: a notebook's cells run one at a time (`NotebookRun`);
- `protocol`, `boundary`: the messages over the channel and the values inside them;
- `child`: what runs inside; `calls`: one call of a student's function;
- `errors`: its exceptions.
"""
