"""Adapters that let third-party channels and queues be checked against the specification."""
