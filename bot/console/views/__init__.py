"""The console's views, one module per area; ``bot.console.routes`` maps them."""
