"""Building the world: structure, population and social network."""
