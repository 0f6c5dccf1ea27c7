"""deckwright: compile workshop manifests into remark.js decks."""
