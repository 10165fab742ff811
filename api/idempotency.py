"""Idempotent writes: every write takes an `Idempotency-Key` header, and a
repeat of the same request with the same key gets the first answer again
instead of acting twice.

The key is claimed by inserting `(client, key)` (unique) in the same
transaction that does the work and stores the answer. A second request
with the same key, arriving while the first is still working, waits on
that row (PostgreSQL: the unique index; SQLite: one writer at a time) and
then finds the stored answer; if the first failed (its transaction rolled
back), the second does the work itself. The same key with a different
request (method, path, query or body) is refused with 422. Answers of 500
and over are not stored, so a retry does the work again. Keys are
remembered for PORTAL_API_IDEMPOTENCY_HOURS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiClient, IdempotencyRecord
from .problems import Problem, from_problem

HEADER = "Idempotency-Key"
KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as a UUID or a ULID


def fingerprint(request) -> str:
    """What the request asks, whatever the encoding details: JSON compared
    as data, multipart as its fields and the files' names and contents."""
    digest = hashlib.sha256()

    def add(*parts) -> None:
        for part in parts:
            digest.update(str(part).encode())
            digest.update(b"\0")

    add(request.method, request.path)
    for name in sorted(request.GET):
        add("q", name, *request.GET.getlist(name))
    content_type = request.content_type or ""
    if content_type == "multipart/form-data" or content_type == "application/x-www-form-urlencoded":
        for name in sorted(request.POST):
            add("f", name, *request.POST.getlist(name))
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                content = hashlib.sha256()
                for chunk in upload.chunks():
                    content.update(chunk)
                upload.seek(0)
                add("file", name, upload.name, content.hexdigest())
    else:
        body = request.body
        try:
            body = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            pass
        digest.update(body)
    return digest.hexdigest()


def _key(request) -> str:
    key = request.headers.get(HEADER, "")
    if not key:
        raise Problem(400, _("Idempotency-Key missing"),
                      _("Every write needs an Idempotency-Key header: one unique value per operation (a UUID, "
                        "for example). Send the same value again to repeat the operation safely."),
                      kind="idempotency-key-missing")
    if not KEY_RE.fullmatch(key):
        raise Problem(400, _("Invalid Idempotency-Key"),
                      _("The Idempotency-Key must be 1 to 255 visible ASCII characters."),
                      kind="idempotency-key-invalid")
    return key


def _replay(record: IdempotencyRecord) -> HttpResponse:
    answer = HttpResponse(record.body, status=record.status_code, content_type=record.content_type)
    answer["Idempotent-Replayed"] = "true"
    return answer


def _claim(client: ApiClient, key: str, print_: str, request) -> IdempotencyRecord | None:
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(client=client, key=key, fingerprint=print_,
                                                    method=request.method, path=request.path[:500])
    except IntegrityError:
        return None


def run(request, client: ApiClient, work: Callable[[], HttpResponse]) -> HttpResponse:
    """Do `work` once per (client, key); a repeat gets the stored answer."""
    key = _key(request)
    print_ = fingerprint(request)
    oldest = timezone.now() - dt.timedelta(hours=settings.PORTAL_API_IDEMPOTENCY_HOURS)
    with transaction.atomic():
        record = _claim(client, key, print_, request)
        if record is None:
            existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if existing is not None and existing.created_at < oldest:
                existing.delete()  # forgotten: the key may be used afresh
                record = _claim(client, key, print_, request)
            elif existing is None:
                record = _claim(client, key, print_, request)
            if record is None:
                if existing is None or existing.created_at < oldest or existing.status_code is None:
                    raise Problem(409, _("Request in progress"),
                                  _("A request with this Idempotency-Key is still being handled; try again shortly."),
                                  kind="idempotency-in-progress", headers={"Retry-After": "1"})
                if existing.fingerprint != print_:
                    raise Problem(422, _("Idempotency-Key reused"),
                                  _("This Idempotency-Key was already used for a different request. Use a new key "
                                    "for a new operation."), kind="idempotency-key-reused")
                return _replay(existing)
        try:
            with transaction.atomic():  # a refusal undoes whatever the work wrote
                answer = work()
        except Problem as problem:
            answer = from_problem(problem)
        if answer.status_code >= 500:
            transaction.set_rollback(True)
            return answer
        record.status_code = answer.status_code
        record.content_type = answer.get("Content-Type", "")[:100]
        record.body = answer.content.decode("utf-8")
        record.save(update_fields=["status_code", "content_type", "body"])
        return answer
