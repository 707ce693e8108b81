"""policykg: a linked-data knowledge graph of Umeå kommun's International Program."""

__version__ = "0.1.0"
