"""Text in: normalizing scraped postings, reading files, and cutting an ad into sections."""
