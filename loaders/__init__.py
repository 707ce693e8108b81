"""Loaders: each source is a pure function from files to quads (or N-Triples chunks).

``sources`` says which sources exist and where their files are; ``rdf`` reads
RDF files; ``sdg`` the UN SDG framework; ``manifest`` the registries a build
loads, and ``registry`` with ``tabular``, ``schema``, ``references`` and
``registries/`` reads and checks them; ``provenance`` describes where a graph
came from; ``publish`` is the one place that writes to the store, one named
graph per source, atomically; ``generate`` writes synthetic registries.
"""
