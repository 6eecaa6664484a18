"""Storage: typed SQLAlchemy 2 models, the engine, the unit of work, and plain query functions."""
