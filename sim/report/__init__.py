"""Faces of a run that sit apart from the model: figures."""
