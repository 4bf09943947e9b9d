"""vaa.audit: the log of who changed what, its filters, its CSV and its field-by-field view."""

from vaa import audit


def test_changes_lists_only_what_differs_field_by_field() -> None:
    before = {"role": "editor", "email": "a@x.org", "text": {"ka": "ძველი", "en": "Old"}}
    after = {"role": "admin", "email": "a@x.org", "text": {"ka": "ახალი", "en": "Old"}, "n": 2}
    assert audit.changes(before, after) == [
        audit.Change("n", None, "2"),
        audit.Change("role", "editor", "admin"),
        audit.Change("text.ka", "ძველი", "ახალი"),
    ]
    assert audit.changes(None, {"items": [{"id": "a"}, {"id": "b"}], "tags": ["x", "y"]}) == [
        audit.Change("items[0].id", None, "a"),
        audit.Change("items[1].id", None, "b"),
        audit.Change("tags", None, "x, y"),
    ]
    assert audit.changes(None, None) == []
    assert audit.changes([1], [2]) == [audit.Change("—", "1", "2")]
    many = audit.changes(None, {f"k{i}": i for i in range(1000)})
    assert len(many) == audit.MAX_CHANGES
