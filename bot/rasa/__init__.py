"""Rasa plug-ins: NLU components, RiskPolicy, NLG, tracker and lock stores, the servers."""
