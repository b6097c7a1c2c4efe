"""Check-ins: the morning and evening messages, their wording, answers, missed ones, consent."""
