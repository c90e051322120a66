"""Ground truth: the specification compared, outcome by outcome, with the real Rust channels.

``chanrun/`` is a small Rust program that plays operation scripts against std::sync::mpsc and
crossbeam-channel and prints every outcome; the modules here build it, generate scripts from the
specification's vocabulary, and check every step Rust took against the steps the specification
allows (docs/rust.md).
"""
