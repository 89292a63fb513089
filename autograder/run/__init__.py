"""The command: parse (`cli`), plan (`plan`), execute (`executors`, `cluster`), record
(`record`); `command.run` ties them together."""
