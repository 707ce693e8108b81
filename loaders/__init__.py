"""Loaders: each source is a pure function from files to quads.

``sources`` says which sources exist and where their files are; ``rdf`` reads
RDF files; ``provenance`` describes where a graph came from; ``publish`` is the
one place that writes quads to the store, one named graph per source, atomically.
"""
