"""Memory measured as tensor bytes: :func:`peak_memory` counts the storage every operation
allocates while a function runs, forward and backward, so that the cost of keeping activations
(DenseNet's concatenations, checkpointing) is a number that does not depend on the machine.

Introduced in chapter "Branches, bottlenecks and dense connections".
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.multiprocessing.reductions import StorageWeakRef
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

__all__ = ["peak_memory"]


def _storages(values: object) -> list[torch.UntypedStorage]:
    """The storages of the tensors among ``values`` (nested in lists, tuples and dicts)."""
    found = []
    for value in tree_flatten(values)[0]:
        if isinstance(value, torch.Tensor) and value.layout == torch.strided and value.device.type != "meta":
            try:
                found.append(value.untyped_storage())
            except (RuntimeError, NotImplementedError):  # a tensor without storage (a functional wrapper)
                continue
    return found


class _StorageCounter(TorchDispatchMode):
    """Sees every operation; tracks the storages that operations create with weak references,
    and keeps the running total of the live ones and its maximum.

    Frees are found by polling: before an operation's outputs are counted, the storages whose weak
    reference has expired are removed. Every allocation goes through an operation, so the
    maximum is exact at the granularity of operations.
    """

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[int, tuple[StorageWeakRef, int]] = {}
        self.current = 0
        self.peak = 0

    def _collect(self) -> None:
        for key, (ref, nbytes) in list(self.live.items()):
            if ref.expired():
                del self.live[key]
                self.current -= nbytes

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
        kwargs = kwargs or {}
        inputs = {s._cdata for s in _storages((args, kwargs))}
        out = func(*args, **kwargs)
        self._collect()
        for storage in _storages(out):
            key = storage._cdata
            nbytes = storage.nbytes()
            if key in self.live:  # seen before (a view, an in-place result): count a growth only
                ref, before = self.live[key]
                if nbytes > before:
                    self.live[key] = (ref, nbytes)
                    self.current += nbytes - before
            elif key not in inputs:  # a storage that this operation allocated
                self.live[key] = (StorageWeakRef(storage), nbytes)
                self.current += nbytes
        self.peak = max(self.peak, self.current)
        return out


def peak_memory(fn: Callable[[], object]) -> int:
    """The most bytes of tensor storage alive at any moment while ``fn()`` runs.

    Only storages allocated during the call are counted: parameters, inputs and anything else made
    before do not count (an in-place update of one adds nothing), and what ``fn`` returns counts
    while it is alive. Every operation PyTorch dispatches is seen, the backward pass included, so
    ``peak_memory(lambda: model(x).sum().backward())`` is the peak of a training step's
    activations, gradients and temporaries. A storage is counted once however many views share
    it, with its size in bytes (``untyped_storage().nbytes()``).

    What it does not count: the allocator's caching and rounding (``torch.cuda.max_memory_allocated``
    reports blocks, not tensors), fragmentation, the workspace an operation uses internally and
    frees before returning, memory that a tensor borrows without an operation allocating it
    (``torch.from_numpy``), and the Python heap. Frees are noticed at the next operation, so the
    peak is exact at the granularity of operations. What it counts is therefore the same on a CPU and
    a GPU for the same computation, so a page can print it.

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        fn: a function of no arguments; its result is discarded after the measurement.

    Raises:
        TypeError: for an ``fn`` that is not callable.

    Examples:
        >>> import torch
        >>> from cnnlib.memory import peak_memory
        >>> peak_memory(lambda: torch.empty(1000))  # 1000 float32 numbers
        4000
        >>> x = torch.ones(1000)  # made before: not counted
        >>> peak_memory(lambda: (x * 2) * 3)  # x * 2 is alive while * 3 writes its result
        8000
        >>> peak_memory(lambda: x.view(10, 100).t())  # views allocate nothing
        0
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function of no arguments, got {type(fn).__name__}")
    counter = _StorageCounter()
    with counter:
        result = fn()
        del result
    return counter.peak
