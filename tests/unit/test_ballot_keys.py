"""Sealed ballots open only with their poll's key, and a large box is opened on
several threads with every ballot in its place."""

from __future__ import annotations

import pytest
from nacl.public import PrivateKey

from polls import ballot_keys


def test_a_box_opens_in_order_on_several_threads(monkeypatch):
    monkeypatch.setattr(ballot_keys, "OPEN_CHUNK", 3)  # 10 boxes: four chunks
    private = PrivateKey.generate()
    lines = [f"[{n}]" for n in range(10)]
    boxes = [ballot_keys.seal(bytes(private.public_key), line) for line in lines]
    assert ballot_keys.open_all(private, boxes) == lines


def test_another_key_opens_nothing():
    private, other = PrivateKey.generate(), PrivateKey.generate()
    box = ballot_keys.seal(bytes(private.public_key), "[1]")
    assert b"[1]" not in box
    with pytest.raises(ballot_keys.KeyUnusable):
        ballot_keys.open_all(other, [box])
