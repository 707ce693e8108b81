"""The result cache: an LRU of bytes, emptied when the generation changes."""

from policykg.server.resultcache import ResultCache


def test_lru_within_its_budget_and_bound_to_the_generation():
    cache = ResultCache(100)
    cache.put("g1", "a", "json", b"x" * 20)
    cache.put("g1", "b", "json", b"y" * 20)
    assert cache.get("g1", "a") == ("json", b"x" * 20)
    for key in "cdef":
        cache.put("g1", key, "json", b"z" * 20)
    assert cache.get("g1", "b") is None  # least recently used went first
    assert cache.get("g1", "a") is not None
    assert cache.get("g2", "a") is None  # another generation sees nothing
    cache.put("g2", "a", "json", b"new")
    assert len(cache) == 1 and cache.get("g1", "c") is None


def test_an_answer_larger_than_a_quarter_is_not_kept_and_zero_disables():
    cache = ResultCache(100)
    cache.put("g", "big", "json", b"x" * 30)
    assert cache.get("g", "big") is None
    assert not ResultCache(0).enabled
