"""The runtime registry: which event loops the suite measures, and how anyio starts each.

Adding a runtime is one entry in ``RUNTIMES``. Every runtime is started with
``anyio.run(func, backend=runtime.backend, backend_options=runtime.backend_options)``;
nothing else in the suite branches on the runtime's name. A runtime names its native adapter
(:mod:`benchmarks.platform.native`: the runtime's own checkpoint, queue, task group and TCP stream),
imported only when asked for, and the capabilities workloads may depend on. Loops that anyio
does not name (rloop, an eager task factory) are handed to anyio's asyncio backend as a
``loop_factory``.

Runtimes with ``default=False`` are measured only when named (``--runtime rloop``), so the
default run keeps to its time budget.
"""

from __future__ import annotations

import importlib
import platform
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from benchmarks.platform.native import TCP_STREAM

if TYPE_CHECKING:
    import asyncio

    from benchmarks.platform.native import Primitives

T = TypeVar("T")

#: Capability: the runtime is an asyncio event loop, so libraries that call asyncio directly
#: (aiofiles, aiozipstream, ``asyncio.gather``) run on it.
ASYNCIO_EVENT_LOOP = "asyncio-event-loop"

#: Library versions recorded in every benchmark's metadata, whether installed or not.
RECORDED_DISTRIBUTIONS: tuple[str, ...] = ("anyio", "trio", "uvloop", "rloop")


@dataclass(frozen=True)
class Runtime:
    """One async runtime as anyio starts it."""

    name: str
    backend: str
    backend_options: Mapping[str, Any] = field(default_factory=dict)
    #: Modules that must import for this runtime to work.
    requires: tuple[str, ...] = ()
    #: Platforms (``sys.platform`` prefixes) on which the runtime does not exist.
    unsupported_platforms: tuple[str, ...] = ()
    #: The oldest Python (major, minor) the runtime exists on.
    min_python: tuple[int, int] = (3, 10)
    #: Whether a run without ``--runtime`` measures it.
    default: bool = True
    #: The module of its native adapter (one per runtime family), imported lazily.
    native_adapter: str = "benchmarks.platform.native._asyncio"
    #: anyio primitives (``benchmarks.platform.native`` names) that anyio cannot build on this
    #: runtime, with the reason: their ``api=anyio`` cells are n/a.
    anyio_gaps: Mapping[str, str] = field(default_factory=dict)
    #: What workloads may rely on (for example ``ASYNCIO_EVENT_LOOP``).
    capabilities: frozenset[str] = frozenset()

    def has(self, capability: str) -> bool:
        """Whether the runtime offers ``capability``."""
        return capability in self.capabilities

    def native(self) -> Primitives:
        """The runtime's native primitives (imports its adapter module on first use)."""
        module = importlib.import_module(self.native_adapter)
        adapter: Primitives = module.ADAPTER
        return adapter

    def unavailable_reason(self) -> str | None:
        """Why this runtime cannot run on this interpreter, or None when it can."""
        if sys.version_info[:2] < self.min_python:
            oldest = ".".join(map(str, self.min_python))
            return f"{self.name} needs Python {oldest}+ (this is {platform.python_version()})"
        for prefix in self.unsupported_platforms:
            if sys.platform.startswith(prefix):
                return f"{self.name} does not support platform {sys.platform}"
        for module in self.requires:
            try:
                importlib.import_module(module)
            except ImportError as exc:
                return f"{module} is not importable on Python {platform.python_version()}: {exc}"
            except Exception as exc:  # a broken install raises anything (RuntimeError, OSError)
                kind = type(exc).__name__
                return f"{module} is broken on Python {platform.python_version()}: {kind}: {exc}"
        return None

    def preload(self) -> None:
        """Import what starting this runtime imports (anyio's backend module, the loop's own
        modules, its native adapter), without starting it: the instructions measure imports
        once, then forks."""
        importlib.import_module(f"anyio._backends._{self.backend}")
        for module in self.requires:
            importlib.import_module(module)
        self.native()

    def run(self, func: Callable[..., Awaitable[T]], *args: object) -> T:
        """Start the runtime, run ``func(*args)`` to completion, shut the runtime down."""
        import anyio

        return anyio.run(
            func, *args, backend=self.backend, backend_options=dict(self.backend_options)
        )


#: Why anyio's TCP listener cannot run on rloop (seen with rloop 0.5.0 and anyio 4).
RLOOP_ACCEPT_REASON = (
    "rloop does not implement loop.connect_accepted_socket, which anyio's TCP listener calls "
    "(NotImplementedError)"
)


def _rloop_loop() -> asyncio.AbstractEventLoop:
    """rloop's event loop (implemented in Rust)."""
    import rloop

    return rloop.new_event_loop()


def _eager(loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
    """``loop`` with :func:`asyncio.eager_task_factory`: a new task runs its first step at once."""
    import asyncio

    loop.set_task_factory(asyncio.eager_task_factory)  # type: ignore[attr-defined]
    return loop


def _asyncio_eager_loop() -> asyncio.AbstractEventLoop:
    import asyncio

    return _eager(asyncio.new_event_loop())


def _uvloop_eager_loop() -> asyncio.AbstractEventLoop:
    import uvloop

    return _eager(uvloop.new_event_loop())


RUNTIMES: dict[str, Runtime] = {
    runtime.name: runtime
    for runtime in (
        Runtime(
            "asyncio",
            backend="asyncio",
            native_adapter="benchmarks.platform.native._asyncio",
            capabilities=frozenset({ASYNCIO_EVENT_LOOP}),
        ),
        Runtime(
            "uvloop",
            backend="asyncio",
            backend_options={"use_uvloop": True},
            requires=("uvloop",),
            unsupported_platforms=("win32",),
            native_adapter="benchmarks.platform.native._asyncio",
            capabilities=frozenset({ASYNCIO_EVENT_LOOP}),
        ),
        Runtime(
            "trio",
            backend="trio",
            requires=("trio",),
            native_adapter="benchmarks.platform.native._trio",
        ),
        Runtime(
            "rloop",
            backend="asyncio",
            backend_options={"loop_factory": _rloop_loop},
            requires=("rloop",),
            unsupported_platforms=("win32",),
            capabilities=frozenset({ASYNCIO_EVENT_LOOP}),
            default=False,
            anyio_gaps={TCP_STREAM: RLOOP_ACCEPT_REASON},
        ),
        Runtime(
            "asyncio-eager",
            backend="asyncio",
            backend_options={"loop_factory": _asyncio_eager_loop},
            min_python=(3, 12),
            capabilities=frozenset({ASYNCIO_EVENT_LOOP}),
            default=False,
        ),
        Runtime(
            "uvloop-eager",
            backend="asyncio",
            backend_options={"loop_factory": _uvloop_eager_loop},
            requires=("uvloop",),
            unsupported_platforms=("win32",),
            min_python=(3, 12),
            capabilities=frozenset({ASYNCIO_EVENT_LOOP}),
            default=False,
        ),
    )
}

#: The runtimes a run measures when no ``--runtime`` is given.
DEFAULT_RUNTIMES: tuple[str, ...] = tuple(name for name, rt in RUNTIMES.items() if rt.default)


def lacks(runtime_name: str, capability: str) -> bool:
    """Whether the registered runtime ``runtime_name`` does not offer ``capability``."""
    return not RUNTIMES[runtime_name].has(capability)


#: The runtime every other runtime is compared with.
BASELINE_RUNTIME = "asyncio"


def distribution_version(name: str) -> str:
    """The installed version of a distribution, or ``not installed``."""
    import importlib.metadata  # here, not at the top: instrumented processes never need it

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment_metadata() -> dict[str, str]:
    """Library versions and the Python build, for every benchmark's pyperf metadata."""
    metadata = {f"{dist}_version": distribution_version(dist) for dist in RECORDED_DISTRIBUTIONS}
    build_number, build_date = platform.python_build()
    metadata["python_build"] = f"{build_number} ({build_date}) {platform.python_compiler()}"
    return metadata
