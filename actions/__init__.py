"""Lien's custom actions (rasa-sdk), one module per feature."""
