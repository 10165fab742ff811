from . import staff_hooks  # noqa: F401
