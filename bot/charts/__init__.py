"""Charts for summaries: matplotlib (Agg, no screen) PNGs, labelled in the reader's language.

Only :mod:`bot.charts.attach` is imported by the renderers; it imports matplotlib when a
chart is first drawn, so the command line starts without it.
"""

__all__: list[str] = []
