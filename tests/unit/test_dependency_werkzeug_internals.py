"""What the suite's shared URL rules (tests/conftest.py, `_share_url_builders` and
`_share_rule_parsing`) take from werkzeug's private Rule._compile_builder and
Rule._parse_rule: a rule compiled from what an earlier app's map made must match,
convert and build exactly as one compiled afresh, with converters of its own map.
If an upgrade changes either method, these tests fail here, by name, instead of
URLs going wrong in every test."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map, Rule

RULES = (
    "/",
    "/polls/<int:poll_id>",
    "/polls/<int:poll_id>/results.<any(csv, json):fmt>",
    "/files/<path:name>",
    "/members/<int(min=1):member_id>/roles/<role>",
)


class Bounded(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 99)
        super().__init__(url_map, *args, **kwargs)


def _map(converters: dict | None = None) -> Map:
    return Map(
        [Rule(rule, endpoint=rule) for rule in RULES], converters=converters or {}
    )


def _fresh(rule: Rule) -> tuple:
    """What werkzeug's own parsing makes of a rule, bypassing the suite's."""
    own = Rule(rule.rule, endpoint=rule.endpoint)
    own.map = rule.map
    own._trace, own._converters = [(False, "|")], {}
    parts = list(Rule._parse_rule.original(own, rule.rule))
    return parts, own._trace, {n: type(c) for n, c in own._converters.items()}


def test_the_suite_parses_rules_through_its_shared_parsing():
    assert getattr(Rule._parse_rule, "original", None), "conftest did not install it"
    assert Rule._parse_rule.original is not Rule._parse_rule


def test_a_second_map_matches_and_builds_as_the_first():
    first, second = _map(), _map()
    for url_map in (first, second):
        urls = url_map.bind("example.org")
        assert urls.match("/polls/7") == ("/polls/<int:poll_id>", {"poll_id": 7})
        assert urls.match("/polls/7/results.json")[1] == {"poll_id": 7, "fmt": "json"}
        assert urls.match("/files/a/b.txt")[1] == {"name": "a/b.txt"}
        assert urls.build("/polls/<int:poll_id>", {"poll_id": 3}) == "/polls/3"
        assert (
            urls.build(
                "/members/<int(min=1):member_id>/roles/<role>",
                {
                    "member_id": 5,
                    "role": "vorstand und mehr",
                },
            )
            == "/members/5/roles/vorstand%20und%20mehr"
        )


def test_shared_parts_are_what_werkzeug_makes_of_the_rule():
    _map()
    url_map = _map()
    for rule in url_map.iter_rules():
        parts, trace, converters = _fresh(rule)
        # The path's parts follow the domain's (one empty part without subdomains).
        assert rule._parts[1:] == parts
        assert rule._trace == trace
        assert {n: type(c) for n, c in rule._converters.items()} == converters
        assert set(converters) <= rule.arguments


def test_every_rule_has_converters_of_its_own_map():
    first, second = _map(), _map()
    for url_map in (first, second):
        for rule in url_map.iter_rules():
            assert all(c.map is url_map for c in rule._converters.values())
    ids = {
        id(c)
        for url_map in (first, second)
        for rule in url_map.iter_rules()
        for c in rule._converters.values()
    }
    assert len(ids) == sum(
        len(r._converters) for m in (first, second) for r in m.iter_rules()
    )


def test_a_map_with_other_converters_parses_for_itself():
    _map()
    bounded = _map({"int": Bounded})
    urls = bounded.bind("example.org")
    assert urls.match("/polls/99")[1] == {"poll_id": 99}
    # Bounded's max: /polls/100 does not match the bounded map, only the plain one.
    assert urls.test("/polls/100") is False
    assert _map().bind("example.org").test("/polls/100") is True
