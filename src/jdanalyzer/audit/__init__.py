"""Audit a company's own job ads: reading ads, the rules, findings and the HTML report."""
