"""The portal's background tasks carry the request id of whoever enqueued them.

`task` is `django_tasks.task` for the portal: every task of every app is
declared with it (a test fails on a plain `django_tasks.task`). Its
`enqueue` adds the current request id as the keyword argument `request_id`
(a fresh id outside a request, so one task's lines, and the tasks it
enqueues in turn, still share one); the worker runs the function under it,
so the task's log lines, Sentry events and outgoing emails carry the id
of the request that caused them, in whatever process runs it. The id is
an ordinary keyword argument in the queue's table (`args_kwargs`), and a
caller may pass `request_id=` itself (a message's retry names the request
that made the message).

Only public names of django-tasks 0.12 are used: `Task` (a frozen
dataclass, subclassed here without new fields; `Task.using` keeps the
subclass), the `task` decorator, and the `task_started` / `task_finished`
signals, which set the id around the worker's own "Task … state=…" lines
too (a failed task's traceback is logged there).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from contextvars import Token
from typing import Any

from django.dispatch import receiver
from django_tasks import task as django_task
from django_tasks.base import Task
from django_tasks.signals import task_finished, task_started

from .observability import current_request_id, new_request_id, request_id, request_id_context

#: The keyword argument that carries the id through the queue.
REQUEST_ID_ARGUMENT = "request_id"


def id_for_task() -> str:
    """The id a task enqueued now runs under: the current request's, or a fresh one."""
    current = current_request_id()
    return current if current != "-" else new_request_id()


def _with_request_id(kwargs: dict[str, Any]) -> dict[str, Any]:
    if not kwargs.get(REQUEST_ID_ARGUMENT):
        kwargs[REQUEST_ID_ARGUMENT] = id_for_task()
    return kwargs


class PortalTask(Task):
    """A django-tasks `Task` whose enqueue hands on the request id."""

    __slots__ = ()

    def enqueue(self, *args, **kwargs):
        return Task.enqueue(self, *args, **_with_request_id(kwargs))

    async def aenqueue(self, *args, **kwargs):
        return await Task.aenqueue(self, *args, **_with_request_id(kwargs))


def runs_under_request_id(function: Callable) -> Callable:
    """The task's function, taking `request_id` off its keyword arguments and
    running under it. `functools.wraps` keeps the name, module and qualified
    name, so the queue's task path still names the module attribute."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        with request_id_context(kwargs.pop(REQUEST_ID_ARGUMENT, None)):
            return function(*args, **kwargs)

    run.carries_request_id = True
    return run


def task(function: Callable | None = None, **options):
    """`@task()` / `@task(queue_name=…)`, as `django_tasks.task`, for a task
    that carries the request id."""

    def wrap(f: Callable) -> PortalTask:
        plain = django_task(**options)(runs_under_request_id(f))
        return PortalTask(**{field.name: getattr(plain, field.name) for field in dataclasses.fields(plain)})

    return wrap(function) if function is not None else wrap


# The worker's own lines: django-tasks logs "Task id=… state=…" from its
# receivers of the same signals, connected before these (this module imports
# its signals module first), so the "finished" line, with a failure's
# traceback, is written while the id is still set.
_entered: dict[str, Token] = {}


@receiver(task_started, dispatch_uid="core.tasks.enter_request_id")
def enter_request_id(sender, task_result, **kwargs) -> None:
    rid = (task_result.kwargs or {}).get(REQUEST_ID_ARGUMENT)
    if rid:
        _entered[str(task_result.id)] = request_id.set(new_request_id(rid))


@receiver(task_finished, dispatch_uid="core.tasks.leave_request_id")
def leave_request_id(sender, task_result, **kwargs) -> None:
    token = _entered.pop(str(task_result.id), None)
    if token is not None:
        request_id.reset(token)
