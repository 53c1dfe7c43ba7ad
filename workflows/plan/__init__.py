"""The control plan: schema, loading with ``file:line`` errors, and queries over it."""
