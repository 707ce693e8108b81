"""The result cache: an LRU within a byte budget, emptied when the generation changes."""

from policykg.server.resultcache import ResultCache


def test_lru_within_its_budget_and_bound_to_the_generation():
    cache = ResultCache(100)
    cache.put("g1", "a", b"x" * 20, 20)
    cache.put("g1", "b", b"y" * 20, 20)
    assert cache.get("g1", "a") == b"x" * 20
    for key in "cdef":
        cache.put("g1", key, b"z" * 20, 20)
    assert cache.get("g1", "b") is None  # least recently used went first
    assert cache.get("g1", "a") is not None
    assert cache.get("g2", "a") is None  # another generation sees nothing
    cache.put("g2", "a", b"new", 3)
    assert len(cache) == 1 and cache.get("g1", "c") is None


def test_an_answer_larger_than_a_quarter_is_not_kept_and_zero_disables():
    cache = ResultCache(100)
    cache.put("g", "big", b"x" * 30, 30)
    assert cache.get("g", "big") is None
    assert not ResultCache(0).enabled
