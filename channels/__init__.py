"""Custom Rasa channels (SMS through Twilio, Telegram) and their message shaping."""
