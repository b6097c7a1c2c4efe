"""Lien: a French companion service for isolated and fragile people."""

__version__ = "0.1.0"
