"""Production channels."""
