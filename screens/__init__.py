"""Textual screens and widgets only: they call services and get results back as messages."""
