"""The back office's admin screens, menus and dashboard panels."""
