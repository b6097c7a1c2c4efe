"""Calls with a human: French dates, volunteers, booking, reminders, the day's plan."""
