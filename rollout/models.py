"""Models of the rollout app; built out by the issues that own it."""
