"""aiogram's Telegram types and methods built on first use, not all at import (issue 14: memory).

aiogram.types declares every TelegramObject with `defer_build=True`, then ends its import with a
loop that calls `model_rebuild` on all ~400 of them (aiogram issue #1513), which builds every
validator and serializer at once: ~75 MB of pydantic-core schemas in every process, most for
types this bot never receives. `defer_aiogram_builds` imports aiogram.types with that loop's
calls turned into bookkeeping, then puts pydantic's `model_rebuild` back: each type keeps its
mock validator and builds itself the first time it validates or serializes, as `defer_build`
means.

aiogram's ~185 methods (aiogram.methods, imported by the types) have no `defer_build` and are
built as they are defined, each with the types of its fields inside (~27 MB): while the import
runs, pydantic's step that builds a model being defined gives them the same mocks instead.

What the loop's namespace was for is kept: the types' modules import each other only under
TYPE_CHECKING, so their forward references ("Message", "User", ...) resolve only through it.
Pydantic resolves a model's fields against its own module's globals, and, for a model reached
inside another one (Message inside `Response[Message]`), the outer model's parent namespace
only. So the namespace is given both ways: as each type's parent namespace, used when the
type builds itself, and as the missing names of each types module, used when it is built
inside anything else (a generic `Response[T]`, a method of aiogram.methods). tests/
test_lean_models.py builds every type, every method and every method's response this way.
These are pydantic 2.13's internals (`_model_construction`, `_mock_val_ser`): both packages are
pinned in the lock, and that test is the check of an upgrade.
"""

import sys
from typing import Any

from pydantic import BaseModel
from pydantic._internal import _mock_val_ser, _model_construction

TYPES_PACKAGE = "aiogram.types"
METHODS_PACKAGE = "aiogram.methods"


def defer_aiogram_builds() -> None:
    """Import aiogram.types with its models' builds deferred to their first use. Nothing to
    do once aiogram.types is imported, lean or not (built eagerly, it is correct, only big)."""
    if TYPES_PACKAGE in sys.modules or METHODS_PACKAGE in sys.modules:
        return
    real = BaseModel.__dict__["model_rebuild"]

    def record(
        cls: type[BaseModel],
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: Any = None,
    ) -> bool | None:
        if _types_namespace is None or force or not _is_type(cls):
            return real.__func__(
                cls,
                force=force,
                raise_errors=raise_errors,
                _parent_namespace_depth=_parent_namespace_depth + 1,
                _types_namespace=_types_namespace,
            )
        cls.__pydantic_parent_namespace__ = dict(_types_namespace)
        module = vars(sys.modules[cls.__module__])
        for name, value in _types_namespace.items():
            module.setdefault(name, value)
        return None

    complete = _model_construction.complete_model_class

    def defer(cls: type[BaseModel], *args: Any, **kwargs: Any) -> bool:
        # A method being defined (no validator, not even a mock, yet): what `defer_build`
        # would do. Its module imports its types at run time, so it resolves on first use.
        if cls.__module__.startswith(METHODS_PACKAGE + ".") and (
            "__pydantic_validator__" not in cls.__dict__
        ):
            _mock_val_ser.set_model_mocks(cls)
            return False
        return complete(cls, *args, **kwargs)

    BaseModel.model_rebuild = classmethod(record)  # type: ignore[method-assign,assignment]
    _model_construction.complete_model_class = defer
    try:
        import aiogram.methods  # noqa: F401
        import aiogram.types  # noqa: F401
    finally:
        BaseModel.model_rebuild = real  # type: ignore[method-assign]
        _model_construction.complete_model_class = complete


def _is_type(cls: type) -> bool:
    return cls.__module__.startswith(TYPES_PACKAGE + ".")
