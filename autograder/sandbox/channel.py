"""The grading side of the socket to a sandbox: every read and write has a deadline and
every byte received counts against a budget.

Code in the notebook can reach the socket (it is a file descriptor of its own
process) and write to it directly: a frame announcing gigabytes, half a frame
and a sleep, a flood of requests whose replies it never reads, a message
that is not ours. None of these may hold the grading process: a wait past
the deadline raises `Hang`, a frame or a total over budget raises
`ProtocolViolation` before its bytes are read, a closed socket raises `Died`.
Frames are `protocol.HEADER` (the length), then that many bytes of JSON.
"""

import select
import socket
import time
from collections.abc import Callable

from .errors import Died, Hang, ProtocolViolation
from .protocol import HEADER, MAX_MESSAGE_BYTES, dumps, loads_bounded

CHUNK = 1 << 20


class Budget:
    """Bytes the grading process accepts from a sandbox: per cell and per notebook."""

    def __init__(self, cell_bytes: int, notebook_bytes: int):
        self.cell_bytes, self.notebook_bytes = cell_bytes, notebook_bytes
        self.cell_used = self.notebook_used = 0

    def new_cell(self) -> None:
        self.cell_used = 0

    def take(self, size: int) -> None:
        """Count `size` bytes about to be read; ProtocolViolation if over budget."""
        if self.cell_used + size > self.cell_bytes:
            raise ProtocolViolation(f"sent more than {self.cell_bytes >> 20} MiB during one "
                                    "cell")
        if self.notebook_used + size > self.notebook_bytes:
            raise ProtocolViolation(f"sent more than {self.notebook_bytes >> 20} MiB in all")
        self.cell_used += size
        self.notebook_used += size


class Channel:
    def __init__(self, sock: socket.socket, budget: Budget):
        sock.setblocking(False)
        self.sock = sock
        self.budget = budget

    def _wait(self, writable: bool, deadline: float, check: Callable[[], None] | None,
              every: float) -> None:
        """Until the socket is ready or the deadline passes; `check` runs every `every` s."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Hang()
            step = min(remaining, every) if check else remaining
            ready = select.select([], [self.sock], [], step) if writable else \
                select.select([self.sock], [], [], step)
            if ready[1 if writable else 0]:
                return
            if check:
                check()

    def send(self, message: dict, deadline: float) -> None:
        view = memoryview(HEADER.pack(len(data := dumps(message))) + data)
        while view:
            self._wait(True, deadline, None, 0)
            try:
                view = view[self.sock.send(view):]
            except BlockingIOError:
                continue
            except OSError as error:  # the sandbox is gone
                raise Died(str(error)) from None

    def _read(self, size: int, deadline: float, check, every) -> bytes:
        chunks, left = [], size
        while left:
            self._wait(False, deadline, check, every)
            try:
                chunk = self.sock.recv(min(left, CHUNK))
            except BlockingIOError:
                continue
            except OSError as error:
                raise Died(str(error)) from None
            if not chunk:
                raise Died("end of file")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def recv(self, deadline: float, check: Callable[[], None] | None = None,
             every: float = 0.1) -> dict:
        """The next message. `check` (the memory watch) runs every `every` seconds while
        the grading process waits for one."""
        (size,) = HEADER.unpack(self._read(HEADER.size, deadline, check, every))
        if size > MAX_MESSAGE_BYTES:
            raise ProtocolViolation(f"announced a message of {size} bytes (the grader takes "
                                    f"at most {MAX_MESSAGE_BYTES >> 20} MiB)")
        self.budget.take(HEADER.size + size)
        try:
            return loads_bounded(self._read(size, deadline, check, every))
        except ValueError as error:
            raise ProtocolViolation(f"sent {error}") from None

    def close(self) -> None:
        self.sock.close()
