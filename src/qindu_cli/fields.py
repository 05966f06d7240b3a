"""How each field of a fact is declared, and every list derived from that one declaration.

Each field of `model.Fact` is annotated with an `About`: what it holds, its
headers, whether the fact file gives it, and which listings show it. Every place a fact
becomes something else reads it here: the JSON object, CSV and TSV columns and cells, the
SQLite table and its insert, the data package's Table Schema, the fact file's rules, the
cache's layout check, `show`'s lines and the table columns. Adding a field to `Fact` is one
line there and nothing here.

A field's `kind` says how its value is typed everywhere (`KINDS`): text, a number as written
(exact decimal text), tags, or an object of named parts, null when unknown, which flattens
into one column per part (`normalized_value`, `normalized_unit`).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qindu_cli.model import Fact


# How values of each kind are stored: kind -> (SQLite type, Table Schema type, Python type in the model).
KINDS: dict[str, tuple[str, str, type]] = {
    "text": ("text", "string", str),
    "number": ("numeric", "number", str),  # decimal text in the model, a number in JSON and SQL
    "integer": ("integer", "integer", int),
    "tags": ("text", "string", tuple),  # of strings; a JSON array in SQLite, joined by ; in CSV
}

# The listings that show a field as a column: lists of facts (search, section) and of indicators.
FACTS, INDICATORS = "facts", "indicators"
LISTINGS = (FACTS, INDICATORS)


class About:
    """Everything qindu says about one field of a fact.

    A plain class with slots rather than a named tuple: one is built for every field at every
    start, and a class of seventeen attributes costs nothing to define this way.
    """

    __slots__ = (
        "computed", "description", "drop", "en", "enum", "hint", "kind", "listings", "name", "part_kinds",
        "pattern", "reads", "references", "required", "shape", "whole", "zh",
    )  # fmt: skip

    def __init__(
        self,
        kind: str,  # a key of KINDS, or "object" with parts
        description: str,  # one sentence: what the field holds
        zh: str,  # header in Chinese
        en: str,  # header in English
        *,
        required: bool = False,  # every fact has it (else null when unknown)
        enum: tuple[str, ...] = (),
        pattern: str | None = None,  # a regular expression the fact file's text must match, with `hint`
        hint: str = "",
        computed: bool = False,  # worked out when the file is checked, not a key of the fact file
        shape: Any = None,  # an object's class: a named tuple whose fields are its keys
        part_kinds: tuple[str, ...] = (),  # the kind of each key of an object
        reads: str = "",  # how an object reads in a table: a format of its keys (else its parts, spaced)
        references: str | None = None,  # the table whose id it holds: sections, topics
        listings: tuple[str, ...] = (),  # the listings that show it as a column
        whole: bool = False,  # never folded in a table (ids, figures); other columns fold
        drop: int = 0,  # as a table narrows, columns with the highest number leave first; 0: never
        name: str = "",  # the field's name, read from `Fact`
    ) -> None:
        self.kind, self.description, self.zh, self.en = kind, description, zh, en
        self.required, self.enum, self.pattern, self.hint = required, enum, pattern, hint
        self.computed, self.shape, self.part_kinds, self.references = computed, shape, part_kinds, references
        self.reads = reads
        self.listings, self.whole, self.drop, self.name = listings, whole, drop, name

    def replace(self, **changes: Any) -> "About":
        """A copy with some attributes changed."""
        values = {name: getattr(self, name) for name in self.__slots__} | changes
        kind, description, zh, en = (values.pop(key) for key in ("kind", "description", "zh", "en"))
        return About(kind, description, zh, en, **values)

    @property
    def parts(self) -> tuple[tuple[str, str], ...]:
        """An object's keys and their kinds; none for other kinds."""
        return tuple(zip(self.shape._fields, self.part_kinds, strict=True)) if self.shape else ()


def about(kind: str, description: str, zh: str, en: str, **more: Any) -> About:
    """What a field of `Fact` is: `label: Annotated[str, about("text", "…", "标签", "Label")]`."""
    return About(kind, description, zh, en, **more)


_FIELDS: tuple[About, ...] = ()


def fields() -> tuple[About, ...]:
    """Every field of a fact, in order, named."""
    global _FIELDS
    if not _FIELDS:
        from qindu_cli.model import Fact

        _FIELDS = tuple(Fact.__annotations__[name].__metadata__[0].replace(name=name) for name in Fact._fields)
    return _FIELDS


def field(name: str) -> About:
    for one in fields():
        if one.name == name:
            return one
    raise KeyError(name)


def listed(listing: str) -> list[About]:
    """The fields a listing shows as columns, in order."""
    return [f for f in fields() if listing in f.listings]


# ── JSON ──────────────────────────────────────────────────────────────────────


def json_number(text: str | None) -> int | float | None:
    """A number as written (checked to fit a double exactly) as the JSON number with the same digits."""
    if text is None:
        return None
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _json(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "number":
        return json_number(value)
    if kind == "tags":
        return list(value)
    return value


def record(fact: "Fact") -> dict[str, Any]:
    """The one JSON shape of a fact: every field by name, objects as objects, null when unknown."""
    out: dict[str, Any] = {}
    for f, value in zip(fields(), fact, strict=True):
        if value is None or f.kind == "text":
            out[f.name] = value
        elif f.parts:
            out[f.name] = {part: _json(kind, item) for (part, kind), item in zip(f.parts, value, strict=True)}
        else:
            out[f.name] = _json(f.kind, value)
    return out


# ── CSV, TSV and SQLite: one column per part of an object ────────────────────


class Column:
    """A flat column of a fact: a field, or a part of an object field."""

    __slots__ = ("about", "kind", "name")

    def __init__(self, name: str, kind: str, about: About) -> None:
        self.name = name  # CSV header and SQL column
        self.kind = kind
        self.about = about  # the field it belongs to


def columns() -> list[Column]:
    """The flat columns of a fact: each field, or each part of an object (`normalized_value`)."""
    out: list[Column] = []
    for f in fields():
        if f.parts:
            out.extend(Column(f"{f.name}_{part}", kind, f) for part, kind in f.parts)
        else:
            out.append(Column(f.name, f.kind, f))
    return out


def _flat(fact: "Fact") -> list[Any]:
    values: list[Any] = []
    for f in fields():
        value = getattr(fact, f.name)
        values.extend((value or (None,) * len(f.parts)) if f.parts else [value])
    return values


def cells(fact: "Fact") -> list[str]:
    """A fact as CSV or TSV cells, in `columns()` order: empty when unknown, tags joined by `;`."""
    out = []
    for column, value in zip(columns(), _flat(fact), strict=True):
        if value is None:
            out.append("")
        elif column.kind == "tags":
            out.append(";".join(value))
        else:
            out.append(str(value))
    return out


def descriptions() -> dict[str, str]:
    """Each flat column's one-sentence description, for tools that show columns (Datasette)."""
    return {column.name: column.about.description for column in columns()}


def sql_columns() -> list[str]:
    """The column definitions of the SQLite `facts` table, with its checks and references."""
    out = []
    for column in columns():
        about = column.about
        definition = f"{column.name} {KINDS[column.kind][0]}"
        if about.name == "id":
            definition += " primary key"
        elif about.required:
            definition += " not null"
        if about.enum:
            definition += f" check ({column.name} in ({', '.join(repr(e) for e in about.enum)}))"
        if about.references:
            definition += f" references {about.references}(id)"
        out.append(definition)
    return out


def sql_values(fact: "Fact") -> list[Any]:
    """A fact's values for the SQLite table, in `columns()` order."""
    import json

    out = []
    for column, value in zip(columns(), _flat(fact), strict=True):
        if value is not None and column.kind == "tags":
            value = json.dumps(list(value), ensure_ascii=False)
        elif column.kind == "number":
            value = json_number(value)
        out.append(value)
    return out


def table_schema(enums: dict[str, Sequence[str]]) -> list[dict[str, Any]]:
    """The Frictionless Table Schema fields of facts.csv; `enums` adds allowed values by field."""
    out = []
    for column in columns():
        constraints: dict[str, Any] = {}
        if column.about.required:
            constraints["required"] = True
        allowed = list(column.about.enum or enums.get(column.name, ()))
        if allowed:
            constraints["enum"] = allowed
        described = {
            "name": column.name,
            "type": KINDS[column.kind][1],
            "description": column.about.description,
        }
        out.append(described | ({"constraints": constraints} if constraints else {}))
    return out


# ── the cache: a fact as plain values marshal can hold ───────────────────────


def layout() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The names and parts of the fields: a cached fact of another layout is a miss."""
    return tuple((f.name, f.parts) for f in fields())


def pack(fact: "Fact") -> tuple[Any, ...]:
    """A fact as a tuple of strings, plain tuples and None, which marshal can hold."""
    return tuple(tuple(value) if isinstance(value, tuple) else value for value in fact)


def unpack(values: Sequence[Any]) -> "Fact":
    """The fact `pack` made these values from."""
    from qindu_cli.model import Fact

    global _OBJECTS
    if _OBJECTS is None:
        _OBJECTS = [(i, f.shape) for i, f in enumerate(fields()) if f.shape]
    if len(values) != len(_FIELDS):
        raise ValueError("a fact of another layout")
    built = list(values)
    for i, shape in _OBJECTS:
        if built[i] is not None:
            built[i] = shape(*built[i])
    return Fact._make(built)


_OBJECTS: list[tuple[int, Any]] | None = None  # where the object fields are, and their classes
