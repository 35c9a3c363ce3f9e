"""Read articles of every format: text kept exactly as extracted, with metadata."""
