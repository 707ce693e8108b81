"""The program's own rules as checks (``ontology/rules/``), run on the store.

:mod:`.calendar` counts mandate periods and due days, :mod:`.rules` reads the
rules, :mod:`.evaluate` runs them on a pyoxigraph store (each rule's query
once, not once per focus node), and :mod:`.findings` stores their results as a
SHACL validation report in a named graph of each published generation and
reads them back.
"""
