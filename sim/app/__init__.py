"""The browser app (`cogov app`): a Mesa SolaraViz page over the community model.

Nothing in the core `sim` package imports this package.
"""
