"""Every Redis key of the service, in one place (arq's ``constants.py`` is the model).

All keys start with the installation's prefix (``REDIS_PREFIX``, default
``lien``). The key classes of each feature build their names from here.
"""

from __future__ import annotations


def person_case(prefix: str, person_id: str) -> str:
    """The open case of a person (a case id)."""
    return f"{prefix}:person:{person_id}:case"
