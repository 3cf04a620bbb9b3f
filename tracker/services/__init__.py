"""Queries and changes: the only place views and commands touch the database."""
