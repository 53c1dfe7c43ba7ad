"""What is reported: summaries, roll-ups, series, overviews and delivery reports."""
