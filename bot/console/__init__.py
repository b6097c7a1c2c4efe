"""The listener console (aiohttp): queue, cases, people, plan, audit."""
