"""Message templates in the Wagtail admin: the live preview fills a
template with sample values; the delivery log masks recipients."""

from __future__ import annotations

import pytest
from django.urls import reverse

from eforms import lifecycle
from notifications.models import Message, MessageTemplate

from .helpers import make_dossier

pytestmark = pytest.mark.django_db


def _form(template, **changes):
    data = {"kind": template.kind, "channel": template.channel, "language": template.language,
            "subject": template.subject, "body": template.body}
    data.update(changes)
    return data


def test_the_preview_renders_the_edited_template_with_sample_values(admin_client_with_second_factor):
    client = admin_client_with_second_factor
    template = MessageTemplate.objects.get(kind="received", channel="email", language="vi")
    url = reverse("wagtailsnippets_notifications_messagetemplate:preview_on_edit", args=[template.pk])

    response = client.post(url, _form(template, subject="Đã nhận hồ sơ {code}", body="Hẹn trả ngày {appointment}."))
    assert response.json() == {"is_valid": True, "is_available": True}
    html = client.get(url).content.decode()
    assert "Đã nhận hồ sơ 000.00.10.H30-250714-0042" in html and "Hẹn trả ngày 30/07/2025." in html
    assert "{code}" not in html

    response = client.post(url, _form(template, body="Xin chào {ho_ten}"))
    assert response.json()["is_valid"] is False


def test_the_edit_view_offers_the_preview(admin_client_with_second_factor):
    template = MessageTemplate.objects.get(kind="received", channel="sms", language="en")
    response = admin_client_with_second_factor.get(
        reverse("wagtailsnippets_notifications_messagetemplate:edit", args=[template.pk])
    )
    assert response.status_code == 200
    assert reverse("wagtailsnippets_notifications_messagetemplate:preview_on_edit", args=[template.pk]) in (
        response.content.decode()
    )


def test_the_delivery_log_masks_recipients_and_cannot_be_edited(
    admin_client_with_second_factor, django_capture_on_commit_callbacks
):
    dossier, staff = make_dossier()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.receive(dossier, staff)
    assert Message.objects.count() == 2
    html = admin_client_with_second_factor.get(reverse("messages_sent:index")).content.decode()
    assert dossier.code in html
    assert "091••••678" in html and "a•@example.com" in html
    assert "0912345678" not in html and "an@example.com" not in html
    assert admin_client_with_second_factor.get(reverse("messages_sent:add")).status_code in (302, 403)
