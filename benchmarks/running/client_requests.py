"""Valgrind client requests from Python, for callgrind's instrumentation switch.

A program asks Valgrind for something (start instrumenting, am I running under you?) with a
*client request*: the instruction sequence that ``valgrind.h``'s
``VALGRIND_DO_CLIENT_REQUEST_EXPR`` emits, a "special preamble" of rotations that leave the
register unchanged, then ``xchg rbx, rbx``. Run natively it does nothing and returns the
default; under Valgrind the core recognises it and answers in ``rdx``. Go's runtime emits the
same bytes itself instead of linking ``valgrind.h``; so does this module, as a 30-byte function
in a page of executable memory, called through :mod:`ctypes` (x86-64 only: elsewhere
:func:`available` is False and callgrind instruments from the start, which counts the same and
only takes longer).

Why: under callgrind the interpreter's start-up and imports cost about 50 times their native
time, and instrumenting them buys nothing, since no count is taken there. The instructions
measure starts its processes with ``--instr-atstart=no`` and turns instrumentation on
(:func:`start_instrumentation`) just before the first counted region of each benchmark: start-up,
imports and warm-ups then run at Valgrind's uninstrumented speed, about four times faster.
"""

from __future__ import annotations

import ctypes
import mmap
import platform
import sys
from collections.abc import Callable
from functools import cache

#: ``VG_USERREQ__RUNNING_ON_VALGRIND`` (valgrind.h): 1 under Valgrind (more when nested), else 0.
RUNNING_ON_VALGRIND = 0x1001
#: callgrind.h's requests start at ``VG_USERREQ_TOOL_BASE('C', 'T')``.
_CALLGRIND_BASE = (ord("C") << 24) | (ord("T") << 16)
#: ``VG_USERREQ__START_INSTRUMENTATION`` (callgrind.h: the fifth callgrind request).
START_INSTRUMENTATION = _CALLGRIND_BASE + 4
#: ``VG_USERREQ__STOP_INSTRUMENTATION``.
STOP_INSTRUMENTATION = _CALLGRIND_BASE + 5

#: ``uint64_t request(uint64_t args[6], uint64_t default)`` for x86-64 (System V ABI), as
#: ``as`` assembles it: ``mov rax, rdi; mov rdx, rsi`` (rax points at the arguments, rdx holds the
#: default), the preamble ``rol rdi, 3; rol rdi, 13; rol rdi, 61; rol rdi, 51`` (128 bits of
#: rotation: rdi unchanged), ``xchg rbx, rbx`` (the request), ``mov rax, rdx; ret``.
X86_64_REQUEST = bytes.fromhex(
    "4889f8" "4889f2" "48c1c703" "48c1c70d" "48c1c73d" "48c1c733" "4887db" "4889d0" "c3"
)  # fmt: skip

_Arguments = ctypes.c_uint64 * 6
_PROTOTYPE = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.POINTER(ctypes.c_uint64), ctypes.c_uint64)


class ClientRequestError(Exception):
    """This machine cannot make client requests from Python; the message says why."""


def unavailable_reason() -> str | None:
    """Why client requests cannot be made here, or None."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return f"client requests are made on x86-64 Linux only (this is {platform.machine()})"
    try:
        _request_function()
    except ClientRequestError as exc:
        return str(exc)
    return None


def available() -> bool:
    """Whether :func:`request` works on this machine."""
    return unavailable_reason() is None


@cache
def _request_function() -> Callable[..., int]:
    """The request function, in a page of executable memory kept for the process's lifetime."""
    try:
        page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    except (OSError, ValueError) as exc:  # a system that forbids writable executable memory
        raise ClientRequestError(f"no executable memory for a client request: {exc}") from None
    page.write(X86_64_REQUEST)
    address = ctypes.addressof(ctypes.c_char.from_buffer(page))
    function = _PROTOTYPE(address)
    function.page = page  # type: ignore[attr-defined]  # the memory lives as long as the function
    return function  # type: ignore[no-any-return]


def prepare() -> None:
    """Build the request function now (its page and ctypes objects), so that a later request
    allocates nothing but its argument block."""
    _request_function()


def request(code: int, *arguments: int, default: int = 0) -> int:
    """Make client request ``code`` with up to five arguments; ``default`` when not under
    Valgrind (or when the running tool does not know the request)."""
    if len(arguments) > 5:
        raise ValueError(f"a client request takes at most 5 arguments (given {len(arguments)})")
    block = _Arguments(code, *arguments)
    return int(_request_function()(block, default))


def running_on_valgrind() -> bool:
    """Whether this process runs under Valgrind."""
    return request(RUNNING_ON_VALGRIND) > 0


def start_instrumentation() -> None:
    """Callgrind: instrument from here on (``CALLGRIND_START_INSTRUMENTATION``)."""
    request(START_INSTRUMENTATION)
