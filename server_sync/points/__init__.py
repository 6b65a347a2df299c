"""The points supermarket on the server: ledger, cards and their key, seed data, sync state."""
