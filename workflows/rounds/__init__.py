"""Control rounds and their values: measuring, evaluation, approval, corrections."""
