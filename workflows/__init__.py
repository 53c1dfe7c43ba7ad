"""The domain of PU3-3 control: plans, rounds, forms, evaluation, decisions and summaries.

Nothing in this package imports a chat transport or the ``bot`` package, nor names a platform
(but :mod:`workflows.plan.accounts`, the plan's account keys).
"""
