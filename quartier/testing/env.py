"""Loaded by pytest (`-p quartier.testing.env`) before Django reads its settings."""

import os

os.environ.setdefault("TESTING", "1")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("VAR_DIR", "/tmp/quartier-test-var")
# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
