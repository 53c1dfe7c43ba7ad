"""Telegram: the Bot API through python-telegram-bot (channel, updates, limits, service)."""
