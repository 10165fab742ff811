"""Small pieces the portal's Wagtail admin screens share."""

from __future__ import annotations


class ListingOnlyMixin:
    """For a generic IndexView that lists and nothing more: no links to add,
    edit, copy or delete (records that belong to citizens, or registers that
    only the code writes)."""

    def get_add_url(self):
        return None

    def get_edit_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    def get_list_buttons(self, instance):
        return []

    def get_list_more_buttons(self, instance):
        return []
