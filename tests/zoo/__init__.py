"""The zoo: channels with one deliberate bug each, which the conformance kit must catch."""
