"""Each cleaning rule removes its boilerplate and keeps article sentences that merely mention it."""

from __future__ import annotations

import pytest

from pipeline.cleaning import Cleaner


def clean(paras: list[str], **kw) -> tuple[list[str], list[str]]:
    result = Cleaner().clean_paragraphs(paras, **kw)
    return result.paragraphs, [r.rule for r in result.removed]


BODY = (
    "The council voted 7-2 on Tuesday to approve the budget after months of debate over "
    "police overtime and library hours."
)


@pytest.mark.parametrize(
    ("boiler", "rule"),
    [
        ("[Featured Image by Hau Dinh/AP Images]", "image-credit"),
        ("(Photo: Jane Doe/Staff)", "image-credit"),
        ("Copyright 2020 The Washington Times, LLC. Click here for reprint permission.", "copyright-line"),
        ("© 2025 Northwind Media. All rights reserved.", "copyright-line"),
        ("Share this article", "share-prompt"),
        ("Click to Read More and View Comments", "share-prompt"),
        ("Read more: Transit board weighs fare increase", "more-prompt"),
        ("Explore More", "more-prompt"),
        ("see also white house chief of staff trump did not accept putin s denial", "see-also"),
        ("This story was originally published by Capitol Ledger.", "syndication-note"),
        ("https://cdn.example.com/images/promo.jpg", "bare-url"),
        ("Sign in", "sign-in-prompt"),
        ("We use cookies to improve your experience. Accept all cookies.", "cookie-notice"),
        ("Sign up for our morning newsletter", "promo-box"),
    ],
)
def test_rule_removes_boilerplate(boiler: str, rule: str) -> None:
    kept, rules = clean([BODY, boiler, BODY.replace("7-2", "6-3")])
    assert boiler not in kept
    assert rule in rules
    assert len(kept) == 2


@pytest.mark.parametrize(
    "content",
    [
        "The newsletter, which has 40,000 subscribers, was the first to report the vote, and its "
        "editor said she would sign up for the council's public comment period.",
        "The lawsuit claims the brewery violated the artist's copyright in 2019 when it printed the "
        "mural on cans without permission, and seeks damages of $250,000.",
        "Share prices fell 4 percent after the report.",
        "Photo identification will be required at polling places starting next year, officials said.",
    ],
)
def test_rules_keep_sentences_that_only_mention_boilerplate_words(content: str) -> None:
    kept, rules = clean([BODY, content])
    assert kept == [BODY, content], rules


def test_promo_box_takes_blurb_only_when_closed_by_a_call_to_action() -> None:
    box = ["Subscribe to The Week", "Escape your echo chamber. Get the facts.", "SUBSCRIBE & SAVE"]
    kept, _ = clean([BODY, *box, BODY + " Later."])
    assert kept == [BODY, BODY + " Later."]
    # A lone heading followed by article text: only the heading goes.
    kept, _ = clean([BODY, "Subscribe to The Week", "The mayor disagreed with the vote, she said."])
    assert kept == [BODY, "The mayor disagreed with the vote, she said."]


def test_caption_goes_with_its_credit() -> None:
    kept, rules = clean(["Trump and Putin.", "(Image credit: Screenshot/Twitter/ABC News)", BODY])
    assert kept == [BODY]
    assert rules == ["image-credit", "image-credit"]


def test_author_bio_only_at_the_end() -> None:
    bio = "Maria Lopez covers city hall for the Post. Reach her at maria@example.com."
    kept, _ = clean([BODY, bio])
    assert kept == [BODY]
    early = "Maria Lopez is a council member who covers the budget committee and chairs it."
    kept, _ = clean([early, BODY, BODY + " Again.", BODY + " Third."])
    assert early in kept


def test_repeated_paragraph_and_title_are_removed() -> None:
    kept, rules = clean(
        ["My Title", BODY, "A sentence printed twice here.", "A sentence printed twice here."],
        title="My Title",
    )
    assert kept == [BODY, "A sentence printed twice here."]
    assert rules == ["title-repeat", "repeated-paragraph"]


def test_unknown_language_runs_only_language_independent_rules() -> None:
    kept, rules = clean(["Tilaa uutiskirjeemme", "https://example.com/x", BODY], language="fi")
    assert "Tilaa uutiskirjeemme" in kept
    assert "bare-url" in rules


def test_audit_records_rule_and_text() -> None:
    result = Cleaner().clean_paragraphs([BODY, "Explore More"])
    assert [(r.rule, r.text) for r in result.removed] == [("more-prompt", "Explore More")]


def test_call_to_action_glued_to_promo_image_url_closes_the_box() -> None:
    box = [
        "Subscribe to The Week",
        "Escape your echo chamber.",
        "SUBSCRIBE & SAVE https://cdn.example.net/flexiimages/promo.jpg",
    ]
    kept, rules = clean([BODY, *box, BODY + " Later."])
    assert kept == [BODY, BODY + " Later."]
    assert rules == ["promo-box"] * 3


@pytest.mark.parametrize(
    "content",
    [
        "All rights reserved, reads the notice at the bottom of every page of one of the plaintiffs' sites.",
        '"We use cookies is not a complete sentence," said the regulator\'s director at the hearing.',
        "Photographs by the yard's own workers make up most of the show.",
        "The free weekday newsletter, delivered to your inbox each morning, with the day's local headlines",
        "Sign in at the front desk when you arrive, the museum's director said.",
    ],
)
def test_benchmark_false_positives_are_kept(content: str) -> None:
    kept, rules = clean([BODY, content, BODY.replace("7-2", "5-4")])
    assert content in kept, rules


@pytest.mark.parametrize(
    ("boiler", "rule"),
    [
        ("| Photo by Walt Brennan |", "image-credit"),
        ("Republish this story for free under our Creative Commons license.", "republish-notice"),
        ("Have a question you want us to explain? Email our team at ask@factdesk.news.", "contact-prompt"),
    ],
)
def test_benchmark_leaks_are_removed(boiler: str, rule: str) -> None:
    kept, rules = clean([BODY, boiler, BODY.replace("7-2", "5-4")])
    assert boiler not in kept and rule in rules


def test_kicker_and_title_after_it_are_removed() -> None:
    kept, rules = clean(["Explainer · Technology", "How the Grid Works", BODY], title="How the Grid Works")
    assert kept == [BODY] and rules == ["title-repeat", "title-repeat"]


def test_pull_quote_repeating_a_sentence_is_removed() -> None:
    quote = "The first was to leave the chain."
    para = f"She made two decisions that year. {quote} The second was to hire a second reporter for the desk."
    kept, rules = clean([BODY, quote, para])
    assert kept == [BODY, para] and rules == ["pull-quote"]


def test_pull_quote_in_a_script_without_spaces_is_removed() -> None:
    body = "市議会は月曜日、北岸の通勤客から二年間寄せられた苦情を受けて、新しいフェリーの時刻表を承認した。"
    quote = "最終便が早すぎると通勤客は訴えていた。"
    para = f"議論は長く続いた。{quote}市長は来年も見直すと述べた。"
    kept, rules = clean([body, quote, para], language="ja")
    assert kept == [body, para] and rules == ["pull-quote"]


SQL = "SELECT count(*) FROM readers WHERE city = 'Oslo';"
WRAPPED = "she made two decisions that year and the first was to leave the chain for a smaller paper,"


@pytest.mark.parametrize(
    "paras",
    [
        # a subheading the paragraph under it repeats (real pages: "The Four Golden Signals")
        ["The case for a second reporter", "The case for a second reporter was made in March by the editor."],
        # the lines of a hard-wrapped paragraph, printed again as one paragraph
        [f"Then {WRAPPED} she said.", WRAPPED[:50].rstrip(), WRAPPED[50:].strip()],
        # a code line the listing below prints again
        [SQL, f"{SQL} -- 42 rows"],
    ],
)
def test_what_only_looks_like_a_pull_quote_is_kept(paras: list[str]) -> None:
    assert clean([BODY, *paras])[0] == [BODY, *paras]


def test_a_standfirst_the_first_paragraph_repeats_is_kept() -> None:
    """Before the running text begins, a repeated sentence is the page's summary, not a quote."""
    standfirst = "The council approved the budget after months of debate."
    paras = [standfirst, f"{standfirst} The vote was 7-2 and the mayor said she would sign it this week."]
    assert clean(paras)[0] == paras


def test_german_french_and_spanish_boxes_and_prompts_are_removed() -> None:
    body_de = "Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen."
    kept, rules = clean(
        [body_de, "Abonnieren Sie unseren Newsletter", "Jetzt anmelden", "Artikel teilen", body_de + " Ja."],
        language="de",
    )
    assert kept == [body_de, body_de + " Ja."] and "promo-box" in rules and "share-prompt" in rules
    body_fr = "Le conseil municipal a adopté mardi le budget de l'année prochaine après un long débat."
    more = "Lire aussi : Le maire répond aux critiques"
    kept, rules = clean([body_fr, more, body_fr + " Oui."], language="fr")
    assert kept == [body_fr, body_fr + " Oui."] and rules == ["more-prompt"]
    body_es = "El ayuntamiento aprobó el martes el presupuesto del próximo año tras un largo debate."
    related = ["Noticias relacionadas", "- El alcalde responde"]
    kept, rules = clean([body_es, *related, body_es + " Sí."], language="es")
    assert kept == [body_es, body_es + " Sí."] and rules == ["related-list", "related-list"]
    # a sentence that only mentions the words is the article talking
    talk = "Die Zeitung teilte mit, dass der Newsletter künftig dienstags erscheint und mehr Leser erreicht."
    assert clean([body_de, talk], language="de")[0] == [body_de, talk]


# Japanese, Chinese and Korean: widget lines removed, prose that uses the same words kept. Lines of
# prose here are short on purpose: a length cap counted by spaces would take a whole paragraph of
# an unspaced script for one word.
JA_BODY = "東京都議会は三日、来年度の予算案を賛成多数で可決した。知事は記者会見で財政の健全化を強調した。"
ZH_BODY = "北京市政府今天公布了新的交通规划，计划在五年内新增多条地铁线路，以缓解城市拥堵问题。"
KO_BODY = (
    "서울시의회는 3일 내년도 예산안을 찬성 다수로 통과시켰다. 시장은 기자회견에서 재정 건전성을 강조하며 "
    "복지와 교통 분야의 투자를 늘리겠다고 밝혔다."
)
# a second paragraph of each story (the same one twice would be a repeated paragraph)
AFTER = {
    "ja": "野党は福祉予算の削減に反対し、来月の本会議で修正案を提出する方針だ。",
    "zh": "市交通委员会负责人说，新线路将优先连接居住区和就业中心，并在明年开工建设。",
    "ko": "야당은 복지 예산 삭감에 반대하며 다음 달 본회의에서 수정안을 제출할 방침이다.",
}


@pytest.mark.parametrize(
    ("language", "body", "boiler", "rule"),
    [
        ("ja", JA_BODY, "このニュースをシェア", "share-prompt"),
        ("ja", JA_BODY, "会員の方はこちら", "sign-in-prompt"),
        ("ja", JA_BODY, "関連記事", "related-list"),
        ("ja", JA_BODY, "あわせて読みたい：都知事が会見", "more-prompt"),
        ("ja", JA_BODY, "（写真：共同）", "image-credit"),
        ("ja", JA_BODY, "無断転載を禁じます。", "copyright-line"),
        (
            "ja",
            JA_BODY,
            "［有料会員限定］ この記事は会員限定です。電子版に登録すると続きをお読みいただけます。",
            "newsletter-blurb",
        ),
        ("zh", ZH_BODY, "分享到：", "share-prompt"),
        ("zh", ZH_BODY, "相关新闻", "related-list"),
        ("zh", ZH_BODY, "版权所有，未经授权不得转载。", "copyright-line"),
        ("zh", ZH_BODY, "上一篇：北京发布新规", "interface-text"),
        ("zh", ZH_BODY, "（图片来源：新华社）", "image-credit"),
        ("ko", KO_BODY, "기사 공유", "share-prompt"),
        ("ko", KO_BODY, "무단전재 및 재배포 금지", "copyright-line"),
        ("ko", KO_BODY, "관련기사", "related-list"),
        ("ko", KO_BODY, "사진=연합뉴스", "image-credit"),
    ],
)
def test_east_asian_widget_lines_are_removed(language: str, body: str, boiler: str, rule: str) -> None:
    kept, rules = clean([body, boiler, AFTER[language]], language=language)
    assert kept == [body, AFTER[language]], rules
    assert rule in rules


@pytest.mark.parametrize(
    ("language", "content"),
    [
        ("ja", "会員限定のイベントには約三百人が参加し、記事の共有方法についての講演もあった。"),
        ("ja", "写真家の田中さんは、被災地の様子を撮影した作品を展示している。"),
        ("zh", "该公司表示，版权所有者有权要求平台删除未经授权的内容，并将提起诉讼。"),
        ("zh", "专家在相关新闻发布会上表示，分享经济仍有很大的发展空间。"),
        ("ko", "시민단체는 기사 공유 플랫폼의 무단 전재 문제를 지적하며 제도 개선을 요구했다."),
    ],
)
def test_east_asian_prose_that_mentions_the_words_is_kept(language: str, content: str) -> None:
    body = {"ja": JA_BODY, "zh": ZH_BODY, "ko": KO_BODY}[language]
    kept, rules = clean([body, content], language=language)
    assert kept == [body, content], rules


def test_a_short_japanese_paragraph_after_a_related_heading_ends_the_list() -> None:
    """A headline has no full stop; a line of prose ends with 。 even when it is short."""
    items = ["- 都議会、予算案を可決", "- 知事が会見"]
    prose = "議会は来週も審議を続ける。"
    kept, rules = clean([JA_BODY, "関連記事", *items, prose], language="ja")
    assert kept == [JA_BODY, prose], rules


EUROPEAN = {
    "tr": (
        "Belediye meclisi salı günü gelecek yılın bütçesini uzun bir tartışmanın ardından oy çokluğuyla "
        "onayladı ve belediye başkanı kararı memnuniyetle karşıladı.",
        "Muhalefet, sosyal harcamalardaki kesintilere karşı çıkarak değişiklik önergesi verdi.",
    ),
    "it": (
        "Il consiglio comunale ha approvato martedì il bilancio del prossimo anno dopo un lungo dibattito.",
        "L'opposizione ha criticato i tagli ai servizi sociali e presenterà un emendamento.",
    ),
    "pt": (
        "A câmara municipal aprovou na terça-feira o orçamento do próximo ano depois de um longo debate.",
        "A oposição criticou os cortes nos serviços sociais e vai apresentar uma emenda.",
    ),
    "nl": (
        "De gemeenteraad heeft dinsdag na een lang debat de begroting voor volgend jaar goedgekeurd.",
        "De oppositie bekritiseerde de bezuinigingen op sociale diensten en dient een amendement in.",
    ),
}


@pytest.mark.parametrize(
    ("language", "boiler", "rule"),
    [
        ("tr", "Haberi paylaş", "share-prompt"),
        ("tr", "Tüm hakları saklıdır.", "copyright-line"),
        ("tr", "Fotoğraf: AA", "image-credit"),
        ("tr", "Bültenimize abone olun", "promo-box"),
        ("it", "© RIPRODUZIONE RISERVATA", "copyright-line"),
        ("it", "Leggi anche: Il sindaco risponde alle critiche", "more-prompt"),
        ("it", "Condividi", "share-prompt"),
        ("pt", "Leia também: Prefeito responde às críticas", "more-prompt"),
        ("pt", "Todos os direitos reservados.", "copyright-line"),
        ("pt", "Compartilhe", "share-prompt"),
        ("nl", "Lees ook: Burgemeester reageert op kritiek", "more-prompt"),
        ("nl", "Alle rechten voorbehouden.", "copyright-line"),
        ("nl", "Deel dit artikel", "share-prompt"),
    ],
)
def test_turkish_italian_portuguese_and_dutch_widget_lines_are_removed(
    language: str, boiler: str, rule: str
) -> None:
    body, after = EUROPEAN[language]
    kept, rules = clean([body, boiler, after], language=language)
    assert kept == [body, after], rules
    assert rule in rules


@pytest.mark.parametrize(
    ("language", "content"),
    [
        ("tr", "Şirket, tüm hakları saklı tuttuğunu ve haberi paylaşan sitelere dava açacağını açıkladı."),
        ("it", "Il giornale ha condiviso la notizia e ha chiesto ai lettori di commentare la proposta."),
        ("pt", "O jornal compartilhou a notícia e pediu aos leitores que comentassem a proposta."),
        ("nl", "De krant deelde het artikel en vroeg lezers om te reageren op het voorstel."),
    ],
)
def test_european_prose_that_mentions_the_words_is_kept(language: str, content: str) -> None:
    body, _ = EUROPEAN[language]
    kept, rules = clean([body, content], language=language)
    assert kept == [body, content], rules


def test_pull_quote_work_per_page_is_bounded() -> None:
    """A page of thousands of short sentences: the rule looks at the first candidates only."""
    from pipeline.cleaning.rules import PULL_QUOTE_MAX_CANDIDATES

    quote = "The budget is a promise we intend to keep for every family."
    running = f"{BODY} The mayor spoke for an hour. {quote} She then took questions from reporters."
    filler = [
        f"Line number {n} of the minutes was read aloud by the clerk."
        for n in range(PULL_QUOTE_MAX_CANDIDATES)
    ]
    kept, rules = clean([running, quote, *filler])
    assert quote not in kept and rules == ["pull-quote"]
    kept, rules = clean([running, *filler, quote])
    assert quote in kept and "pull-quote" not in rules
