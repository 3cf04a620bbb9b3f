"""The tracker's domain rules in plain Python: no Flask, no SQLAlchemy, no models."""
