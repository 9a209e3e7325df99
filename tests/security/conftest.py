"""Fixtures for the security suite: the shop-api fixtures of tests/backend (moto's Cognito, both databases,
shop-api as a subprocess and in-process), reused as they are, and its testkits on the import path."""

from __future__ import annotations

from fixture_reuse import BACKEND_FIXTURES, fixtures_of, on_path

on_path("backend")
globals().update(fixtures_of("backend", BACKEND_FIXTURES))
