"""Prebuilt SELECTs compiled once for a raw driver, converted as SQLAlchemy would convert them."""

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect

# Prebuilt statements are few; a bound keeps a caller that passes fresh ones from growing the map.
MAX_PREPARED = 64

Processor = Callable[[Any], Any] | None
ResultProcessor = Callable[[Any, Dialect], Processor]


def dialect_result_processor(column_type: Any, dialect: Dialect) -> Processor:
    """SQLAlchemy's own converter for a column of this type, TypeDecorators included."""
    processor: Processor = column_type.dialect_impl(dialect).result_processor(dialect, None)
    return processor


@dataclass(frozen=True, slots=True)
class Prepared:
    """A SELECT compiled once: its SQL text, how to bind its parameters and type its columns."""

    sql: str
    parameters: tuple[tuple[str, Any, Processor], ...]  # name, default value, bind processor
    columns: tuple[Processor, ...]
    row: Callable[..., Any]  # a named tuple of the selected columns, read like a Row

    def values(self, parameters: Mapping[str, Any]) -> list[Any]:
        """The driver's positional parameters, in the compiled statement's order."""
        values = []
        for name, default, process in self.parameters:
            value = parameters.get(name, default)
            values.append(value if process is None else process(value))
        return values

    def rows(self, fetched: Iterable[Sequence[Any]]) -> list[Any]:
        """The driver's rows as named tuples with the columns' Python types."""
        columns, row = self.columns, self.row
        return [row(*[value if process is None else process(value)
                      for process, value in zip(columns, raw, strict=True)])
                for raw in fetched]


class PreparedStatements:
    """Each statement compiled once for one dialect; None once MAX_PREPARED are known."""

    def __init__(
        self, dialect: Dialect, result_processor: ResultProcessor = dialect_result_processor
    ) -> None:
        self._dialect = dialect
        self._result_processor = result_processor
        self._prepared: dict[int, tuple[Select[Any], Prepared]] = {}

    def get(self, statement: Select[Any]) -> Prepared | None:
        found = self._prepared.get(id(statement))
        if found is not None and found[0] is statement:
            return found[1]
        if len(self._prepared) >= MAX_PREPARED:
            return None
        dialect = self._dialect
        compiled = statement.compile(dialect=dialect)
        binds = compiled.binds
        keys = [str(column.key) for column in statement.selected_columns]
        prepared = Prepared(
            sql=compiled.string,
            parameters=tuple(
                (name, binds[name].effective_value,
                 binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                for name in compiled.positiontup or []),
            columns=tuple(self._result_processor(column.type, dialect)
                          for column in statement.selected_columns),
            row=namedtuple("Row", keys, rename=True),
        )
        # Keyed by id with the statement kept alive, so the id can never be reused by another.
        self._prepared[id(statement)] = (statement, prepared)
        return prepared
