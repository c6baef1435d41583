"""Presentation: Danish number formats, sentences, tables and charts. No file paths here."""
