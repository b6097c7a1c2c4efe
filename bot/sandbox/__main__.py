"""``python -m bot.sandbox --port P``: the providers' stand-ins for ``make run``."""

from bot.sandbox.server import main

main()
