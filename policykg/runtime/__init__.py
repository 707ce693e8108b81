"""The query runtime: the named queries, the SPARQL scanner and its remote checks,
the jobs a query process runs, and the bounded descriptions of resources."""
