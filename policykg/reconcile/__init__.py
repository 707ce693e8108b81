"""The reconciliation service's logic (W3C Entity Reconciliation API, versions 0.2 and
1.0-draft): the entities and their names indexed from the store (:mod:`.index`), fuzzy
matching in Swedish and English (:mod:`.matching`), and the requests and answers of both
versions of the protocol (:mod:`.protocol`). The HTTP routes are in ``policykg.server.reconcile``."""
