"""The people Lien keeps a link with: registry, CSV import, opaque references, privacy."""
