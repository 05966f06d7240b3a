"""glossary.yaml: one English for each proper name and recurring term, used by every label and tag."""

from __future__ import annotations

import pytest
import yaml
from conftest import FACTS, ROOT, parse

from qindu_cli.model import FactBook

GLOSSARY = yaml.safe_load((ROOT / "glossary.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def book() -> FactBook:
    return parse(FACTS.read_bytes(), str(FACTS))


def _entries() -> dict[str, str]:
    return {**GLOSSARY["names"], **GLOSSARY["terms"]}


def test_the_glossary_has_names_and_terms_in_chinese_and_english() -> None:
    assert set(GLOSSARY) == {"names", "terms"}
    assert not set(GLOSSARY["names"]) & set(GLOSSARY["terms"])
    for chinese, english in _entries().items():
        assert isinstance(chinese, str) and isinstance(english, str) and english.isascii(), chinese


def test_every_label_en_uses_the_glossary_english_for_the_terms_of_its_label(book: FactBook) -> None:
    wrong = [
        f"{fact.id}: {chinese} is {english!r}, not in {fact.label_en!r}"
        for fact in book.facts
        for chinese, english in _entries().items()
        if chinese in fact.label and english.lower() not in fact.label_en.lower()
    ]
    assert wrong == []


def test_every_name_in_a_quote_is_a_tag_in_chinese_and_english(book: FactBook) -> None:
    missing = [
        f"{fact.id}: {tag}"
        for fact in book.facts
        for chinese, english in GLOSSARY["names"].items()
        if chinese in fact.quote
        for tag in (chinese, english)
        if tag not in fact.tags
    ]
    assert missing == []


def test_every_chinese_tag_of_the_glossary_has_its_english_beside_it(book: FactBook) -> None:
    """A reader who types the English of a term finds every fact a reader of Chinese finds by it."""
    missing = [
        f"{fact.id}: {chinese} without {english!r}"
        for fact in book.facts
        for chinese, english in _entries().items()
        if chinese in fact.tags
        and english.lower() not in fact.label_en.lower()
        and english.lower() not in (tag.lower() for tag in fact.tags)
    ]
    assert missing == []


def test_every_entry_of_the_glossary_is_used(book: FactBook) -> None:
    text = " ".join(f"{fact.label} {fact.quote}" for fact in book.facts)
    assert [chinese for chinese in _entries() if chinese not in text] == []
