"""Imported only by the fork server, last: take it off the network for good.

Every sandbox is forked from the fork server, so all of them share this one
empty network namespace (only a loopback that is down). Creating a namespace
per notebook would cost ~0.1 s each and serialises in the kernel. Only root
(or a user namespace) may do this; elsewhere the audit hook still refuses
sockets.
"""

import ctypes
import os

CLONE_NEWNET = 0x40000000
ISOLATED = False
if os.environ.get("RNN_GRADER_NETWORK", "off") == "off":
    try:
        ISOLATED = ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        ISOLATED = False
