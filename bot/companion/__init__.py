"""The companion's knowledge: what it remembers of a person, the services it points to."""
