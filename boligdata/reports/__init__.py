"""The content of each committee report, built from the package's analyses (no file paths here).

Each report class is created in the report notebook's second cell and its methods are
called one per cell; each returns HTML that Jupyter displays and nbconvert exports.
"""
