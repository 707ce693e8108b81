"""A remote SPARQL server as the store (``POLICYKG_STORE_URL``): the standard protocols
only (:mod:`.protocol`), read like the embedded store (:mod:`.reader`), published in
generations by staging and one update (:mod:`.store`). See docs/remote-store.md."""
