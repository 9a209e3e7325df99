"""shop-api: the backend the console talks to (FastAPI), with SQLite or PostgreSQL + row-level security storage."""

from importlib.metadata import version

__version__ = version("shop-console")
