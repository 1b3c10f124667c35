"""Data files shipped with corpus-qa."""
