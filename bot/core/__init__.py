"""The ground floor: settings, Redis keys and helpers, ports, clock, text, wording, phones."""
