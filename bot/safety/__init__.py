"""Safety: risk lexicon, escalations, cases, roster, alerts, digest, human takeover."""
