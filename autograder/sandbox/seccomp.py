"""The system calls a sandbox refuses, as the seccomp program bubblewrap installs.

Only `shmget` is refused (EPERM, an ordinary OSError in the student's
code). A System V shared-memory segment outlives every process that made
it, is mapped by none once detached, and cannot be seen from outside the
sandbox's IPC namespace: without a cgroup, no count of the notebook's
memory could find it. Nothing a student of this course runs needs it
(NumPy, Matplotlib, torch and multiprocessing share memory through files
or mappings, which the memory watch counts).

The program is compiled by libseccomp (through ctypes), in the form
bubblewrap's manual asks for (`seccomp_export_bpf`); libseccomp knows each
architecture's system-call numbers and ABIs (x32, 32-bit calls on a 64-bit
kernel), which a hand-written filter would have to get right itself.
"""

import ctypes
import ctypes.util
import errno
import functools
import os
import tempfile

REFUSED = ("shmget",)
SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_ERRNO = 0x00050000
HOW_TO_GET_IT = ("libseccomp is missing (Debian/Ubuntu: `sudo apt-get install libseccomp2`; "
                 "Fedora: `sudo dnf install libseccomp`)")


@functools.cache
def program():
    """The compiled filter (BPF bytes); OSError if libseccomp cannot make it."""
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    lib = ctypes.CDLL(name)  # OSError when the library is missing
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                     ctypes.c_uint]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    context = lib.seccomp_init(SCMP_ACT_ALLOW)
    if not context:
        raise OSError("libseccomp could not start a filter")
    try:
        for call in REFUSED:
            number = lib.seccomp_syscall_resolve_name(call.encode())
            if lib.seccomp_rule_add(context, SCMP_ACT_ERRNO | errno.EPERM, number, 0) != 0:
                raise OSError(f"libseccomp could not refuse {call}")
        with tempfile.TemporaryFile() as compiled:
            if lib.seccomp_export_bpf(context, compiled.fileno()) != 0:
                raise OSError("libseccomp could not compile the filter")
            compiled.seek(0)
            return compiled.read()
    finally:
        lib.seccomp_release(context)


def pipe():
    """A readable descriptor holding the program, for `bwrap --seccomp FD` (which reads it
    whole before it starts the sandbox); the caller closes it once bwrap has started."""
    compiled = program()
    read, write = os.pipe()
    try:
        os.write(write, compiled)  # far below a pipe's buffer: never blocks
    finally:
        os.close(write)
    return read
