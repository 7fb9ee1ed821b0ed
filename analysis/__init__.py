"""viewpoints: comparative stance and tone analysis of articles, per author and topic."""

__version__ = "0.1.0"
