"""What the suite's shared compiled SQL (tests/conftest.py, `_SuiteStatements`) takes
from SQLAlchemy beyond its documented `compiled_cache` execution option: the key it
hands that mapping starts with the engine's dialect object, and an engine reads the
mapping before compiling. If an upgrade changes either, these tests fail here, by
name, instead of every test compiling its SQL again or, worse, one engine's SQL
being served to a database of another kind."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select

from tests.conftest import _SuiteStatements

NOTES = Table(
    "notes",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("text", String(50)),
)


class Recording(_SuiteStatements):
    def __init__(self) -> None:
        super().__init__()
        self.keys: list[tuple] = []

    def get(self, key, default=None):
        self.keys.append(key)
        return super().get(key, default)


def _engine(tmp_path, name: str, cache: dict, text: str):
    engine = create_engine(f"sqlite:///{tmp_path / name}")
    engine.update_execution_options(compiled_cache=cache)
    NOTES.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(NOTES.insert().values(text=text))
    return engine


def test_the_key_starts_with_the_engines_dialect(tmp_path):
    cache = Recording()
    engine = _engine(tmp_path, "a.db", cache, "a")
    with engine.connect() as conn:
        conn.execute(select(NOTES.c.text)).all()
    assert cache.keys, "the engine did not read its compiled_cache option"
    assert all(key[0] is engine.dialect for key in cache.keys)
    engine.dispose()


def test_engines_of_one_kind_share_compiled_sql_and_keep_their_own_rows(tmp_path):
    cache = _SuiteStatements()
    first = _engine(tmp_path, "first.db", cache, "erste")
    second = _engine(tmp_path, "second.db", cache, "zweite")
    query = select(NOTES.c.text).where(NOTES.c.id == 1)
    with first.connect() as conn:
        result = conn.execute(query)
        assert result.context.cache_hit == first.dialect.CACHE_MISS
        assert result.scalar_one() == "erste"
    with second.connect() as conn:
        result = conn.execute(query)
        # The SQL the first engine compiled, for the second one's own database.
        assert result.context.cache_hit == second.dialect.CACHE_HIT
        assert result.scalar_one() == "zweite"
    first.dispose()
    second.dispose()
