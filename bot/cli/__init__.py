"""``python -m bot``: one module per command group; the development supervisor apart."""
