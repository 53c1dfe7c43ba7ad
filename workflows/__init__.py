"""The domain of PU3-3 control: plans, rounds, forms, evaluation, decisions and summaries.

Nothing in this package imports a chat transport (Telegram, Slack) or the ``bot`` package.
"""
