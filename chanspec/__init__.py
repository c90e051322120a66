"""chanspec: Rust channel semantics for Python threads."""
