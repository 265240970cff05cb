"""Where a record is cleaned: paragraph rules applied in order, with an audit of what went."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.cleaning.flattened import (
    is_flattened,
    strip_footer,
    strip_header,
    strip_learned_edges,
)
from pipeline.cleaning.languages import language_pack
from pipeline.cleaning.rules import RULES, Rule, RuleContext
from pipeline.record import Removal
from pipeline.textnorm import join_paragraphs, paragraphs

AUDIT_TEXT_LIMIT = 300


@dataclass
class CleanResult:
    paragraphs: list[str]
    removed: list[Removal] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_paragraphs(self.paragraphs)


def audit_text(text: str) -> str:
    """A removed span as the audit trail keeps it: enough to recognise, bounded on hostile pages."""
    return text if len(text) <= AUDIT_TEXT_LIMIT else text[: AUDIT_TEXT_LIMIT - 1] + "…"


class Cleaner:
    """Applies the rules; one instance per run so learned site patterns can be shared."""

    def __init__(
        self,
        rules: tuple[Rule, ...] = RULES,
        learned: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.rules = rules
        self.learned = learned or {}

    def clean_paragraphs(
        self,
        paras: list[str],
        *,
        language: str | None = "en",
        title: str | None = None,
        source: str | None = None,
    ) -> CleanResult:
        ctx = RuleContext(
            pack=language_pack(language),
            title=title,
            learned=self.learned.get(source or "", frozenset()),
        )
        kept = list(paras)
        # Where each kept paragraph was in the extracted text, so a removal can say where it was
        # (``Removal.at``) and a preview can show it in place, between the paragraphs kept.
        places = list(range(len(paras)))
        removed: list[Removal] = []
        for rule in self.rules:
            if rule.needs_language and ctx.pack is None:
                continue
            hits = sorted(set(rule.find(kept, ctx)))
            if not hits:
                continue
            removed.extend(Removal(rule=rule.name, text=audit_text(kept[i]), at=places[i]) for i in hits)
            drop = set(hits)
            kept = [p for i, p in enumerate(kept) if i not in drop]
            places = [at for i, at in enumerate(places) if i not in drop]
        return CleanResult(kept, removed)

    def clean_text(
        self,
        text: str,
        *,
        language: str | None = "en",
        title: str | None = None,
        source: str | None = None,
    ) -> CleanResult:
        """Clean already-scraped plain text: paragraph rules, plus span rules if it is flattened."""
        pack = language_pack(language)
        if pack is not None and is_flattened(text):
            spans: list[Removal] = []
            body = " ".join(text.split())
            for strip in (strip_header, strip_footer):
                body, removal = strip(body, pack)
                if removal is not None:
                    spans.append(removal)
            body, learned = strip_learned_edges(body, self.learned.get(source or "", frozenset()))
            spans.extend(learned)
            result = self.clean_paragraphs([body], language=language, title=title, source=source)
            for removal in result.removed:  # spans cut from one line of text have no paragraph place
                removal.at = None
            result.removed[:0] = spans
            return result
        return self.clean_paragraphs(paragraphs(text), language=language, title=title, source=source)
