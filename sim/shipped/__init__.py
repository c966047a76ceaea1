"""The shipped scenarios and experiments, read as package data (they travel with the wheel)."""
