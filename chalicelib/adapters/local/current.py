"""The running LocalRuntime, for the local-only dev endpoints (None elsewhere)."""
runtime = None
