"""Forget what the API no longer needs (run it daily from a scheduler):
Idempotency-Keys older than PORTAL_API_IDEMPOTENCY_HOURS, and expired
access tokens (django-oauth-toolkit's `clear_expired`)."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from oauth2_provider.models import clear_expired

from api.models import IdempotencyRecord


class Command(BaseCommand):
    help = "Delete old Idempotency-Key records and expired API access tokens."

    def handle(self, *args, **options):
        cutoff = timezone.now() - dt.timedelta(hours=settings.PORTAL_API_IDEMPOTENCY_HOURS)
        deleted, _detail = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
        clear_expired()
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} idempotency record(s) and the expired tokens."))
