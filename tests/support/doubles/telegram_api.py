"""The Telegram double the tests start: the sandbox's own (bot/sandbox/telegram_api.py).

Usage: python -m tests.support.doubles.telegram_api --port 8998 --token 123:abc
"""

from bot.sandbox.telegram_api import *  # noqa: F401,F403 - the same double
from bot.sandbox.telegram_api import main, make_app  # noqa: F401

if __name__ == "__main__":
    main()
