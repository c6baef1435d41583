"""Readers: one module per input format, all writing into the data model."""
