"""Pick one place per candidate from the sources, with a reason."""
