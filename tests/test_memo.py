from __future__ import annotations

from deckwright.memo import SameObjectMemo


def test_same_object_is_computed_once_equal_objects_each_time():
    calls = []
    memo = SameObjectMemo(lambda x: calls.append(x) or len(calls))
    a, b = ["slide"], ["slide"]  # equal, not the same
    assert (memo(a), memo(a), memo(b), memo(a)) == (1, 1, 2, 1)
    assert calls == [a, b]


def test_an_entry_keeps_its_object_so_its_id_is_never_another_objects():
    memo = SameObjectMemo(lambda x: x[0])
    for i in range(1000):  # without the reference held, ids of freed lists come back
        assert memo([i]) == i


def test_past_the_limit_it_forgets_and_still_answers():
    memo = SameObjectMemo(lambda x: x[0] * 2, limit=3)
    objects = [[i] for i in range(10)]
    assert [memo(o) for o in objects] == [i * 2 for i in range(10)]
    assert len(memo._seen) <= 3
