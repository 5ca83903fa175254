"""Extraction: the curated taxonomy, the spaCy components that match it, and gold scoring."""
