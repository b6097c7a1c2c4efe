"""The Twilio double the tests start: the sandbox's own (bot/sandbox/twilio_api.py).

Usage: python -m tests.support.doubles.twilio_api --port 8999
"""

from bot.sandbox.twilio_api import *  # noqa: F401,F403 - the same double
from bot.sandbox.twilio_api import main, make_app  # noqa: F401

if __name__ == "__main__":
    main()
