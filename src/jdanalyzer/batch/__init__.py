"""Batch scoring: read tables in chunks, guess their columns, score them in parallel, resume."""
