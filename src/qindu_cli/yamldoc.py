"""Read YAML text into plain Python values with line numbers, refusing what a fact file never needs."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from qindu_cli.errors import Problem, clipped, shown

_YAML = "tag:yaml.org,2002:"
_PLAIN_INT = re.compile(r"[-+]?[0-9]+")
_PLAIN_DECIMAL = re.compile(r"[-+]?[0-9]+\.[0-9]*|[-+]?\.[0-9]+")
MAX_DEPTH = 20
MAX_NUMBER_LENGTH = 100  # characters: far beyond any figure, and within what int() converts (4,300 digits)


class Mapping(dict[str, Any]):
    """A YAML mapping that remembers where it and each of its keys stand (1-based lines)."""

    line: int
    key_lines: dict[str, int]


class Sequence(list[Any]):
    line: int


class YamlRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def load_document(text: str, name: str) -> Any:
    """The document in `text` as Mapping/Sequence/str/int/Decimal/bool/None values.

    Only YAML's safe constructs are read: no tags that build objects, no anchors or aliases,
    no duplicate keys. Raises YamlRefused with the line of the first problem.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = _one_line(exc.problem or exc.context or "not valid YAML")
        raise YamlRefused(Problem(name, f"YAML syntax: {message}", line=line)) from None
    except yaml.reader.ReaderError as exc:
        if loader is yaml.SafeLoader:  # a character index
            line = text.count("\n", 0, exc.position) + 1
        else:  # libyaml counts bytes of UTF-8
            line = text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n") + 1
        message = f"YAML does not allow the character {chr(exc.character)!r} (U+{exc.character:04X})"
        raise YamlRefused(Problem(name, message, line=line)) from None
    except yaml.YAMLError as exc:
        raise YamlRefused(Problem(name, f"YAML: {_one_line(str(exc))}")) from None
    except RecursionError:
        raise YamlRefused(Problem(name, "YAML nested too deeply to read")) from None
    if node is None:
        raise YamlRefused(Problem(name, "the file is empty; a fact file is a YAML mapping"))
    return _Builder(name).build(node, 0)


def _one_line(message: str) -> str:
    return " ".join(message.split())


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: set[int] = set()

    def refuse(self, node: Any, message: str) -> YamlRefused:
        return YamlRefused(Problem(self.name, message, line=node.start_mark.line + 1))

    def build(self, node: Any, depth: int) -> Any:
        import yaml

        if id(node) in self.seen:
            raise self.refuse(node, "anchors and aliases (& and *) are not allowed in a fact file")
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self.refuse(node, f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            self.plain_tag(node, "seq")
            items = Sequence(self.build(child, depth + 1) for child in node.value)
            items.line = node.start_mark.line + 1
            return items
        self.plain_tag(node, "map")
        mapping = Mapping()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, depth + 1)
            if not isinstance(key, str):
                raise self.refuse(key_node, f"keys must be text, not {clipped(repr(key))}")
            if key in mapping:
                raise self.refuse(key_node, f"duplicate key {shown(key)}")
            mapping.key_lines[key] = key_node.start_mark.line + 1
            mapping[key] = self.build(value_node, depth + 1)
        return mapping

    def plain_tag(self, node: Any, kind: str) -> None:
        if node.tag != _YAML + kind:
            raise self.refuse(node, f"the tag {shown(node.tag)} is not allowed in a fact file")

    def scalar(self, node: Any) -> Any:
        tag, text = node.tag, node.value
        if tag == _YAML + "str":
            return text
        if tag == _YAML + "null":
            return None
        if tag == _YAML + "bool":
            return text.lower() in ("true", "yes", "on", "y")
        if tag in (_YAML + "int", _YAML + "float") and len(text) > MAX_NUMBER_LENGTH:
            raise self.refuse(node, f"a number {len(text):,} characters long; a fact file's numbers are shorter")
        if tag == _YAML + "int" and _PLAIN_INT.fullmatch(text):
            return int(text)
        if tag == _YAML + "float" and _PLAIN_DECIMAL.fullmatch(text):
            return Decimal(text)
        if tag == _YAML + "timestamp":
            return text
        if tag in (_YAML + "int", _YAML + "float"):
            raise self.refuse(node, f"write numbers as plain decimals, not {shown(text)}")
        raise self.refuse(node, f"the tag {shown(tag)} is not allowed in a fact file")
