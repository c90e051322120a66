"""Tests of the production implementation's own machinery: fast paths, wake-ups, races."""
