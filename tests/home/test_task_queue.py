"""The operators' page of the task queue (Reports → Task queue)."""

import pytest
from django.test import override_settings
from django.utils import translation
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.dossier_factories import make_agency, make_staff
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(TASKS=DB_TASKS)
def test_superusers_see_waiting_and_failed_tasks(admin_client_with_second_factor):
    from notifications.tasks import deliver_message

    deliver_message.enqueue(1, 1)
    deliver_message.enqueue(2, 1)
    failed = deliver_message.enqueue(3, 1)
    DBTaskResult.objects.filter(pk=failed.id).update(
        status=TaskResultStatus.FAILED, exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="Traceback (most recent call last): …")
    with translation.override("en"):
        html = admin_client_with_second_factor.get("/admin/reports/task-queue/", HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    assert "notifications.tasks.deliver_message" in html
    assert "smtplib.SMTPServerDisconnected" in html
    ready = TaskResultStatus.READY.label
    assert f'<th scope="row">{ready}</th><td>2</td>' in html


def test_agency_staff_are_refused(client):
    staff = make_staff("queue-clerk", make_agency("000.00.31.H01", "Sở Nội vụ"), "receiver")
    response = pass_second_factor(client, staff).get("/admin/reports/task-queue/")
    assert response.status_code in (302, 403)
    assert b"deliver_message" not in response.content
