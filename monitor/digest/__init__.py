"""Digests as data (pure): what each subscriber gets (`selection`), the national picture block (`national`), the
archive's page views (`archive`), Atom feeds (`feeds`) and trend charts (`charts`).

Imports only the pure cores (`monitor.extract`, `monitor.compare`, `monitor.format`) and the standard library;
no database, no templates, no network (tests/test_layering.py enforces it).
"""
