"""Models of the outreach app; built out by the issues that own it."""
