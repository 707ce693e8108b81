"""Linking our data with national and EU datasets: link discovery with review (``policykg link``)."""
