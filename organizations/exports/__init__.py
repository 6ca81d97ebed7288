"""Exports of the list pages to XLSX and CSV."""
