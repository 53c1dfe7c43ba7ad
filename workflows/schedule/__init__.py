"""The schedule: planned sends, the sweep that sends them and what it remembers."""
