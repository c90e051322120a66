"""Hypothesis settings profiles, chosen by the environment variable HYPOTHESIS_PROFILE.

``ci`` (the default) is fast and derandomized, so a CI failure reproduces
exactly; ``thorough`` runs many more, truly random examples (local and nightly).
"""

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=60, derandomize=True, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=2_000, derandomize=False, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
