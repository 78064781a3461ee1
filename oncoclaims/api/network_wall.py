"""The second wall against SERVICE and LOAD: a process that runs user SPARQL cannot open a network socket.

The first wall (:mod:`oncoclaims.query_guard`) refuses a query or update that uses
``SERVICE`` or ``LOAD``. If a text ever got past it (a parser difference, a bug), pyoxigraph
would still have to open a socket to fetch anything. :func:`close_network` installs a
seccomp-BPF filter in the calling process that makes ``socket()`` fail with ``EPERM`` for the
Internet families (``AF_INET``, ``AF_INET6``) and refuses ``io_uring_setup`` (which can open
sockets without the ``socket`` system call). Unix sockets and pipes, which the workers use to
talk to the server, keep working. The filter holds for every thread of the process
(``SECCOMP_FILTER_FLAG_TSYNC``) and for whatever it starts, and cannot be lifted.

Why seccomp and not ``unshare(CLONE_NEWUSER | CLONE_NEWNET)``: a new network namespace needs
user namespaces, which many container runtimes and hardened kernels switch off, while seccomp
filters are allowed to any process that first sets ``PR_SET_NO_NEW_PRIVS``; and seccomp takes
effect for all threads at once, where ``unshare`` changes only the calling thread's view.

Supported: Linux on x86_64 and aarch64 (the filter checks the audit architecture and refuses
x32 and 32-bit system calls on x86_64). Anywhere else :func:`close_network` logs one warning
and returns ``False``: there the first wall is the only one (docs/query-guard.md).
"""

from __future__ import annotations

import ctypes
import errno
import logging
import platform
import socket
import struct
import sys

__all__ = ["close_network", "network_closed_here"]

_log = logging.getLogger(__name__)

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_X32_SYSCALL_BIT = 0x40000000

# BPF opcodes (linux/bpf_common.h)
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

#: machine -> (AUDIT_ARCH_*, __NR_socket, __NR_io_uring_setup, __NR_seccomp)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}

_closed = False
_warned = False


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _program(audit_arch: int, nr_socket: int, nr_io_uring: int) -> bytes:
    """The BPF program: offsets into ``struct seccomp_data`` (nr 0, arch 4, args[0] low word 16)."""
    deny = _SECCOMP_RET_ERRNO | errno.EPERM
    code = [
        (_LD_W_ABS, 0, 0, 4),  # 0: A = arch
        (_JEQ_K, 1, 0, audit_arch),  # 1: native? go on : deny
        (_RET_K, 0, 0, deny),  # 2
        (_LD_W_ABS, 0, 0, 0),  # 3: A = syscall number
        (_JGE_K, 0, 1, _X32_SYSCALL_BIT),  # 4: x32 ABI (only on x86_64): deny
        (_RET_K, 0, 0, deny),  # 5
        (_JEQ_K, 0, 1, nr_io_uring),  # 6
        (_RET_K, 0, 0, deny),  # 7
        (_JEQ_K, 1, 0, nr_socket),  # 8: socket()? look at the family
        (_RET_K, 0, 0, _SECCOMP_RET_ALLOW),  # 9
        (_LD_W_ABS, 0, 0, 16),  # 10: A = family
        (_JEQ_K, 2, 0, socket.AF_INET),  # 11
        (_JEQ_K, 1, 0, socket.AF_INET6),  # 12
        (_RET_K, 0, 0, _SECCOMP_RET_ALLOW),  # 13
        (_RET_K, 0, 0, deny),  # 14
    ]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in code)


def _warn_once(reason: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        _log.warning("the network wall is not up in this process (%s): SPARQL here is held back from "
                     "SERVICE and LOAD by the query guard alone; see docs/query-guard.md", reason)


def network_closed_here() -> bool:
    """Whether :func:`close_network` has closed this process's network."""
    return _closed


def close_network() -> bool:
    """Make ``socket(AF_INET/AF_INET6, ...)`` fail with ``EPERM`` in this process from now on.

    Returns whether the filter is in place; when it cannot be (another platform, a kernel
    without seccomp), one warning is logged and the process goes on without it.
    """
    global _closed
    if _closed:
        return True
    machine = platform.machine().lower()
    if not sys.platform.startswith("linux") or machine not in _ARCHES:
        _warn_once(f"seccomp filters are supported here on Linux x86_64 and aarch64, not {sys.platform} "
                   f"{machine}")
        return False
    audit_arch, nr_socket, nr_io_uring, nr_seccomp = _ARCHES[machine]
    program = _program(audit_arch, nr_socket, nr_io_uring)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.prctl.restype = ctypes.c_int
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        _warn_once(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno(), '?')}")
        return False
    # seccomp(2) with TSYNC filters every thread; prctl only the calling one (the fallback).
    done = libc.syscall(nr_seccomp, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC,
                        ctypes.byref(fprog)) == 0
    if not done and ctypes.get_errno() == errno.ENOSYS:
        done = libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0
    if not done:
        _warn_once(f"installing the seccomp filter failed: {errno.errorcode.get(ctypes.get_errno(), '?')}")
        return False
    _closed = True
    return True
