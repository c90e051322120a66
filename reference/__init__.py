"""Reference channels."""
