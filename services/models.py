"""Models of the services app; built out by the issues that own it."""
