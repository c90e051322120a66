"""The controlled scheduler: its primitives, its strategies, and controlled checks of real channels."""
