"""Telegram: the Bot API through python-telegram-bot (channel, updates, limits, service)."""

from bot.settings import opt_in_to_library_behaviour

opt_in_to_library_behaviour()
