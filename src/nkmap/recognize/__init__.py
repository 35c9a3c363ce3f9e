"""Find candidate place names in text: word-bounded, longest first, exact offsets."""
