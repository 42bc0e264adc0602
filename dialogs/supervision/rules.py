"""Pure rules of this feature."""
