"""The demo street: seed data for 古美路街道, loaded through the same service functions people
use, kept apart from the use cases it exercises. ``python -m demo`` loads it."""
