"""Stage 1: bytes off the network — the HTTP client, outcomes, politeness, robots.txt."""
