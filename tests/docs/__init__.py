"""What the documentation generates by running the specification, and the tests that keep it honest."""
