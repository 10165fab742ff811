"""The admin: message templates (a snippet with a live preview filled with
sample values) and the delivery log (read-only, recipients masked)."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import InboundSms, Message, MessageTemplate
from .rendering import PLACEHOLDERS


def _placeholder_help() -> str:
    items = format_html_join("", "<li><code>{{{}}}</code>: {}</li>", PLACEHOLDERS.items())
    return format_html("<ul>{}</ul>", items)


class MessageTemplateViewSet(SnippetViewSet):
    model = MessageTemplate
    icon = "mail"
    menu_label = _("Message templates")
    add_to_admin_menu = True
    menu_order = 950
    list_display = ["kind", "channel", "language", "subject", "updated_at"]
    list_filter = ["kind", "channel", "language"]
    search_fields = ["subject", "body"]
    copy_view_enabled = False

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("channel"), FieldPanel("language")]),
        FieldPanel("subject"),
        FieldPanel("body"),
        HelpPanel(content=lazy(_placeholder_help, str)(), heading=_("Placeholders")),
    ]


class ReadOnlyPolicy(ModelPermissionPolicy):
    """The delivery log is written by the delivery task only."""

    def user_has_permission(self, user, action):
        return action in ("view", "inspect") and super().user_has_permission(user, "view")

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class MessageViewSet(ModelViewSet):
    model = Message
    icon = "mail"
    menu_label = _("Messages sent")
    add_to_admin_menu = True
    menu_order = 951
    list_display = [
        "dossier", "kind", "channel", Column("masked_recipient", label=_("recipient")), "state", "attempts",
        "created_at",
    ]
    list_filter = ["state", "channel", "kind"]
    # A request id (from a log line, or an email's X-Request-ID header) finds its messages.
    search_fields = ["dossier__code", "request_id"]
    inspect_view_enabled = True
    inspect_view_fields = ["dossier", "kind", "channel", "language", "subject", "body", "state", "attempts",
                           "next_attempt_at", "sent_at", "provider_message_id", "last_error", "request_id",
                           "created_at"]
    copy_view_enabled = False
    form_fields = []


register_permission_policy(Message, ReadOnlyPolicy(Message))
register_snippet(MessageTemplateViewSet)


@hooks.register("register_admin_viewset")
def register_message_viewset():
    return MessageViewSet("messages_sent")


class InboundSmsViewSet(ModelViewSet):
    """The look-up by SMS: what was received (masked) and answered."""

    model = InboundSms
    icon = "mail"
    menu_label = _("SMS received")
    add_to_admin_menu = True
    menu_order = 952
    list_display = ["received_at", "sender", "text", "dossier_code", "outcome", "reply_state"]
    list_filter = ["outcome", "reply_state"]
    search_fields = ["dossier_code"]
    inspect_view_enabled = True
    inspect_view_fields = ["received_at", "gateway_message_id", "sender", "text", "dossier_code", "outcome", "reply",
                           "reply_state", "provider_message_id", "last_error"]
    copy_view_enabled = False
    form_fields = []


register_permission_policy(InboundSms, ReadOnlyPolicy(InboundSms))


@hooks.register("register_admin_viewset")
def register_inbound_sms_viewset():
    return InboundSmsViewSet("sms_received")
