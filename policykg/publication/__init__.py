"""What is written after each publish: the dumps and their statistics, the VoID and
DCAT-AP-SE documents, the ontology's documentation and the stored answers."""
