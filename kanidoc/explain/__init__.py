"""Job-log signatures mapped to finding codes."""
