"""The independent evaluation (``python -m tools.eval_independent``), by set."""
