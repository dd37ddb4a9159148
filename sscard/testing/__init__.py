"""Makers of valid-looking test and demo data (never real people)."""
