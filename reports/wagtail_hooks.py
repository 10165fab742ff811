"""The reports' admin screens (menu items, URLs, permissions)."""
