"""Per-language vocabulary for the cleaning rules.

Rules are written once; what a newsletter prompt or an image credit looks like
in a language lives here. English is filled in; another language is a new
``LanguagePack`` entry, and until it exists only the language-independent rules
(bare URLs, repeats, copyright symbols) run on its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@dataclass(frozen=True)
class LanguagePack:
    code: str
    newsletter_heading: re.Pattern[str]
    subscribe_heading: re.Pattern[str]
    promo_blurb: re.Pattern[str]
    call_to_action: re.Pattern[str]
    sign_in: re.Pattern[str]
    image_credit: re.Pattern[str]
    copyright: re.Pattern[str]
    share_prompt: re.Pattern[str]
    more_prompt: re.Pattern[str]
    see_also: re.Pattern[str]
    syndication_note: re.Pattern[str]
    cookie_notice: re.Pattern[str]
    credit_marker: re.Pattern[str]
    reporting_verb: re.Pattern[str]
    imperative: re.Pattern[str]
    contact_prompt: re.Pattern[str]
    republish_notice: re.Pattern[str]
    bio_opening: re.Pattern[str]
    bio_keywords: re.Pattern[str]
    contact_line: re.Pattern[str]
    # Flattened text (no punctuation, lower case): header and footer tokens.
    header_start: re.Pattern[str]
    header_end: re.Pattern[str]
    footer_start: re.Pattern[str]
    footer_tokens: re.Pattern[str]


ENGLISH = LanguagePack(
    code="en",
    newsletter_heading=_rx(
        r"^(sign up|subscribe|register)\b.{0,80}\b(newsletters?|briefings?|inbox|email updates|alerts)\W*$",
        r"^(get|receive|want) (our|the)\b.{0,60}\bnewsletters?\b",
        r"^(our|the|free)\b.{0,40}\bnewsletters?\W*$",
    ),
    subscribe_heading=_rx(
        r"^subscribe (to|now|today)\b.{0,60}$",
        r"^(become|already) a (subscriber|member)\b",
        r"^support (our|local|independent) journalism\b",
        r"^(get|try) (unlimited|full|digital) access\b",
    ),
    promo_blurb=_rx(
        r"\bdelivered (directly |straight )?to your inbox\b",
        r"\b(unsubscribe at any time|by signing up,? you agree)\b",
    ),
    call_to_action=_rx(
        r"^(sign up|sign me up|subscribe|subscribe (&|and) save|join( now| today)?|"
        r"learn more|get started|try (it )?(for )?free|continue|submit|register)\W*$",
    ),
    sign_in=_rx(
        r"^(sign|log) ?in\b.{0,40}$",
        r"^(already have an account|create (a free|an) account|register (now|for free))\b.{0,60}$",
    ),
    image_credit=_rx(
        r"^[\[(]?\s*(featured |top |main |lead )?(image|photo|photograph|picture|illustration|video)s?"
        r"( credit)?s?\s*(by|:)\s.{1,120}$",
        r"^[\[(]?\s*(credit|photo credit|image credit)\s*:\s*.{1,100}$",
    ),
    copyright=_rx(
        r"^(copyright|©|\(c\))\s*(©\s*)?\d{4}\b.{0,200}$",
        r"^©.{0,120}$",
        r"\ball rights reserved\W*$",
        r"\bclick here for reprint permission\W*$",
    ),
    share_prompt=_rx(
        r"^(share|share this( article| story| page)?|tweet|email|print|"
        r"(\d+ )?comments?|leave a comment|post a comment|view comments|"
        r"click to (read more|hide|view|share).{0,60})\W*$",
        r"^(share|follow us) on (facebook|twitter|x|linkedin|instagram)\b.{0,60}$",
        r"^click to read more and view comments\W*$",
    ),
    more_prompt=_rx(
        r"^(read more|explore more|more from [^.]{1,40}|recommended( for you)?|you may also like|"
        r"most (read|popular)|trending( now)?|related( stories| articles| coverage| content)?|"
        r"more stories|up next|don'?t miss)\W*$",
        r"^(read more|related|also read|recommended|more|watch|listen)\s*:\s*.{1,160}$",
    ),
    see_also=_rx(r"^see also\b.{1,200}$"),
    syndication_note=_rx(
        r"^this (story|article|report|piece) (was )?(originally |first )?(appeared|published|ran)"
        r"\b.{0,120}$",
        r"^(originally|first) published (in|on|by)\b.{0,120}$",
    ),
    cookie_notice=_rx(
        r"^(we use cookies|this (site|website) uses cookies|by continuing to (browse|use) (this|our) "
        r"(site|website)|cookies? (policy|settings|preferences|help us)|manage (cookies|consent))\b",
        r"\baccept (all )?cookies\W*$",
    ),
    credit_marker=_rx(
        r"^[\[(]",
        r"/",
        r"\b(getty|ap|reuters|afp|staff|shutterstock|istock|courtesy|"
        r"file photo|handout|pool)\b",
        r"[^.!?]$",
    ),
    reporting_verb=_rx(r"\b(said|says|told|according to|wrote|argued|claimed)\b"),
    imperative=_rx(r"\b(get|sign up|subscribe|join|receive|register|start)\b"),
    contact_prompt=_rx(
        r"^(have|got) a (question|tip|story|news tip)\b.{0,160}\b(email|write|contact|send|reach)\b",
        r"^(send|email) (us )?(your )?(tips|questions|news tips|story ideas)\b.{0,120}$",
    ),
    republish_notice=_rx(
        r"^republish (this|our) (story|article)\b.{0,160}$",
        r"\bunder (a|our) creative commons licen[cs]e\W*$",
    ),
    bio_opening=_rx(
        r"^[A-Z][\w'.-]+( [A-Z][\w'.-]+){0,3} (is|was|has been|covers|writes|reports|joined)\b",
        r"^(about the author)\b",
    ),
    bio_keywords=_rx(
        r"\b(reporter|writer|journalist|editor|correspondent|columnist|contributor|graduate|"
        r"covers|covered|bureau|newsroom|twitter|follow (him|her|them)|reach (him|her|them)|"
        r"degrees?|sense of humou?r|joined the)\b",
    ),
    contact_line=_rx(
        r"^(reach|contact|email|follow) (him|her|them|the (author|writer|reporter))\b.{0,120}$",
    ),
    header_start=_rx(r"^(sign in|log in|login|register|subscribe|menu|skip to content)\b"),
    header_end=_rx(r"\b(manage newsletters|newsletters|subscribe|sign up|search)\b"),
    footer_start=_rx(
        r"\bcopyright \d{4}\b",
        r"© ?\d{4}",
        r"\ball rights reserved\b",
        r"\bclick here for reprint permission\b",
    ),
    footer_tokens=_rx(
        r"\b(reprint permission|read more|view comments|terms of (use|service)|privacy policy|"
        r"manage newsletters|click to hide|all rights reserved|contact us|about us|cookie)\b",
    ),
)

LANGUAGES: dict[str, LanguagePack] = {"en": ENGLISH}


def language_pack(code: str | None) -> LanguagePack | None:
    """The pack for a language code ('en', 'en-GB'); None when the language has none yet."""
    if not code:
        return ENGLISH
    return LANGUAGES.get(code.split("-")[0].lower())
