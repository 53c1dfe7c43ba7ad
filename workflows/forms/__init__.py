"""Conversational forms as data: field specs, answer parsing and a pure state machine."""
