"""The working-day calendar (engineer D)."""
