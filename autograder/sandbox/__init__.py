"""One notebook's cells run in a bubblewrap sandbox of its own, under limits."""
