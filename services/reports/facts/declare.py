"""How a fact table is declared (tables.py, quality_tables.py): `reports.fact_<entity>`, its key
columns (the entity's key) and its state columns, each nullable, with the indexes asked for."""

from sqlalchemy import Column, Index, Table, Text, Uuid

from shared.db import metadata

SCHEMA = "reports"


def fact(entity: str, *columns: Column, indexes: tuple[tuple[str, ...], ...] = ()) -> Table:
    name = f"fact_{entity}"
    table = Table(name, metadata, *columns, schema=SCHEMA)
    for index_columns in indexes:
        Index(f"ix_{name}_{'_'.join(index_columns)}", *(table.c[c] for c in index_columns))
    return table


def key(name: str, type_=Uuid) -> Column:
    return Column(name, type_, primary_key=True)


def col(name: str, type_=Text) -> Column:
    return Column(name, type_, nullable=True)
