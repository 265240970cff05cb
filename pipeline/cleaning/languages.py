"""Per-language vocabulary for the cleaning rules.

Rules are written once; what a newsletter prompt or an image credit looks like
in a language lives here. English, German, French, Spanish, Turkish, Italian, Portuguese, Dutch,
Japanese, Chinese and Korean are filled in (each adds its wording to English's, which sites in
every language keep for their widgets); another language
is a new ``LanguagePack`` entry, and until it exists only the language-independent rules
(bare URLs, repeats, copyright symbols) run on its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace


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
    # A heading that opens a list of other stories ("More Must-Reads From TIME", "You Might Also
    # Like"): the heading and the list after it go (rules.related_list).
    related_heading: re.Pattern[str]
    # Controls of a player, a gallery or a widget that extractors keep as text ("Previous",
    # "Fullscreen", "1 of 5", "Loading comments...").
    interface: re.Pattern[str]
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
    related_heading=_rx(
        r"^(more|other|further|recent|latest|top|featured|related|recommended|popular|trending)"
        r"( must-reads?| stories| articles| news| reads| headlines| videos?| slide ?shows| galleries|"
        r" opinion( columns)?| coverage| content| from [^.]{1,40}| on [^.]{1,40}| in [^.]{1,40})+\W*$",
        r"^(you (might|may) (also )?(like|enjoy)|recommended for you|most (read|popular|viewed|shared)"
        r"( stories| articles)?|read (this )?next|what to read next|around the web|from our partners|"
        r"sponsored (stories|content|links)|promoted (stories|content))\W*$",
    ),
    interface=_rx(
        r"^(previous|next|prev|close|fullscreen|full screen|thumbnails|play|pause|replay|mute|"
        r"expand|collapse|back to top|skip (ad|to content)|now (watching|playing)|view (photo|gallery|"
        r"slideshow)|show (more|less)|load more|see more|loading( comments)?|please wait|"
        r"recent slide ?shows|enlarge (this )?image|toggle (caption|navigation)|thanks!?)\W*$",
        r"^\d+ of \d+\W*$",
        r"^next video starts in\b.{0,20}$",
        r"^this (feature|video) is (temporarily )?(not |un)available\b.{0,80}$",
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


def _also(english: re.Pattern[str], *patterns: str) -> re.Pattern[str]:
    """A language's own wording, plus English: sites in every language keep English widget text
    ("Share", "Newsletter", "Read more")."""
    return _rx(english.pattern, *patterns)


def _pack(code: str, **own: tuple[str, ...]) -> LanguagePack:
    """A pack that adds a language's wording to English's, field by field."""
    fields = {name: _also(getattr(ENGLISH, name), *patterns) for name, patterns in own.items()}
    return replace(ENGLISH, code=code, **fields)


GERMAN = _pack(
    "de",
    newsletter_heading=(
        r"^(jetzt |hier )?(zum|für den|unseren?|den) newsletter\b.{0,60}$",
        r"^newsletter\b.{0,40}(abonnieren|bestellen|anmelden)\W*$",
        r"^(abonnieren|bestellen) sie (unseren|den)\b.{0,40}newsletter\W*$",
    ),
    subscribe_heading=(r"^(jetzt )?(abonnieren|abo abschließen|weiterlesen mit)\b.{0,60}$",),
    call_to_action=(r"^(jetzt )?(anmelden|abonnieren|registrieren|weiter|mehr erfahren|jetzt testen)\W*$",),
    sign_in=(r"^(anmelden|einloggen|login|zum login)\b.{0,40}$",),
    image_credit=(r"^[\[(]?\s*(foto|bild|grafik|quelle)\s*:\s*.{1,100}$",),
    copyright=(r"^©.{0,120}$", r"\balle rechte vorbehalten\W*$"),
    share_prompt=(
        r"^(teilen|artikel teilen|drucken|kommentieren|kommentare|(\d+ )?kommentare?|per e-mail teilen)\W*$",
        r"^(auf|bei) (facebook|twitter|x|whatsapp|linkedin) teilen\W*$",
    ),
    more_prompt=(
        r"^(mehr zum thema|lesen sie auch|auch interessant|das könnte sie auch interessieren|"
        r"weitere artikel|meistgelesen|empfehlungen)\W*$",
        r"^(lesen sie auch|mehr zum thema|auch interessant)\s*:\s*.{1,160}$",
    ),
    related_heading=(
        r"^(mehr (zum thema|aus dem ressort|artikel|nachrichten)|weitere (artikel|nachrichten|themen)|"
        r"das könnte sie auch interessieren|meistgelesene? artikel|top-artikel|empfohlene artikel)\W*$",
    ),
    interface=(r"^(zurück|weiter|vorherige?s?|nächste?s?|schließen|vollbild|bild \d+ von \d+|laden)\W*$",),
    cookie_notice=(r"^(wir verwenden cookies|diese (website|seite) (verwendet|nutzt) cookies)\b",),
    see_also=(r"^(siehe auch|lesen sie auch)\b.{1,200}$",),
)
FRENCH = _pack(
    "fr",
    newsletter_heading=(r"^(inscrivez-vous|abonnez-vous) à (notre|la) (newsletter|lettre)\b.{0,60}$",),
    subscribe_heading=(r"^(abonnez-vous|je m'abonne|déjà abonné)\b.{0,60}$",),
    call_to_action=(r"^(s'inscrire|je m'inscris|s'abonner|je m'abonne|en savoir plus|continuer)\W*$",),
    sign_in=(r"^(se connecter|connexion|identifiez-vous)\b.{0,40}$",),
    image_credit=(r"^[\[(]?\s*(photo|crédit|crédits|illustration)\s*:\s*.{1,100}$",),
    copyright=(r"^©.{0,120}$", r"\btous droits réservés\W*$"),
    share_prompt=(r"^(partager|partager (cet|l')article|imprimer|réagir|(\d+ )?commentaires?)\W*$",),
    more_prompt=(
        r"^(lire aussi|à lire aussi|voir aussi|sur le même sujet|les plus lus)\W*$",
        r"^(lire aussi|à lire aussi|voir aussi)\s*:\s*.{1,160}$",
    ),
    related_heading=(r"^(sur le même sujet|les plus lus|à lire aussi|articles? (liés|similaires))\W*$",),
    interface=(r"^(précédent|suivant|fermer|plein écran|chargement)\W*$",),
    cookie_notice=(r"^(nous utilisons des cookies|ce site utilise des cookies)\b",),
    see_also=(r"^(voir aussi|lire aussi)\b.{1,200}$",),
)
SPANISH = _pack(
    "es",
    newsletter_heading=(
        r"^(suscríbete|apúntate|regístrate) (a|en) (nuestro|el|nuestra) (boletín|newsletter)\b.{0,60}$",
    ),
    subscribe_heading=(r"^(suscríbete|hazte suscriptor|ya soy suscriptor)\b.{0,60}$",),
    call_to_action=(r"^(suscribirme|suscríbete|regístrate|más información|continuar|enviar)\W*$",),
    sign_in=(r"^(iniciar sesión|inicia sesión|entrar|acceder)\b.{0,40}$",),
    image_credit=(r"^[\[(]?\s*(foto|fotografía|imagen|crédito)\s*:\s*.{1,100}$",),
    copyright=(r"^©.{0,120}$", r"\btodos los derechos reservados\W*$"),
    share_prompt=(r"^(compartir|comparte|imprimir|comentar|(\d+ )?comentarios?)\W*$",),
    more_prompt=(
        r"^(lee también|te puede interesar|noticias relacionadas|lo más leído|más noticias)\W*$",
        r"^(lee también|te puede interesar|más información)\s*:\s*.{1,160}$",
    ),
    related_heading=(r"^(noticias relacionadas|lo más leído|te puede interesar|más noticias)\W*$",),
    interface=(r"^(anterior|siguiente|cerrar|pantalla completa|cargando)\W*$",),
    cookie_notice=(r"^(utilizamos cookies|este (sitio|portal) (web )?utiliza cookies)\b",),
    see_also=(r"^(ver también|lee también)\b.{1,200}$",),
)
TURKISH = _pack(
    "tr",
    newsletter_heading=(
        r"^((e-?)?bültenimize|haber bültenimize|e-?bültene) (abone ol(un)?|kayıt ol(un)?)\b.{0,60}$",
    ),
    subscribe_heading=(r"^(hemen )?abone (ol|olun)\b.{0,60}$",),
    call_to_action=(r"^(abone ol|kayıt ol|giriş yap|devam et|devamını oku|gönder)\W*$",),
    sign_in=(r"^(giriş yap|üye girişi|oturum aç)\b.{0,40}$",),
    image_credit=(r"^[\[(]?\s*(fotoğraf|foto|görsel)\s*:\s*.{1,100}$",),
    copyright=(r"^©.{0,120}$", r"\b(tüm|her) hakkı? saklıdır\W*$", r"\btüm hakları saklıdır\W*$"),
    share_prompt=(
        r"^(paylaş|paylaşın|haberi paylaş|yazdır|yorum yap|yorumlar|(\d+ )?yorum)\W*$",
        r"^(facebook|twitter|x|whatsapp|linkedin)('?(ta|da|te|de))? paylaş\W*$",
    ),
    more_prompt=(
        r"^(ilgili haberler|benzer haberler|bunlar da ilginizi çekebilir|çok okunanlar|haberin devamı|"
        r"devamını oku|tüm haberler)\W*$",
        r"^(ilgili haber|bunu da okuyun|şunu da okuyun)\s*:\s*.{1,160}$",
    ),
    related_heading=(
        r"^(ilgili haberler|benzer haberler|bunlar da ilginizi çekebilir|çok okunanlar|öne çıkanlar|"
        r"editörün seçtikleri)\W*$",
    ),
    interface=(r"^(önceki|sonraki|kapat|tam ekran|yükleniyor)\W*$",),
    cookie_notice=(r"^(bu (web )?site(miz)? çerez|sitemizde çerez|çerez politikası)",),
)
ITALIAN = _pack(
    "it",
    newsletter_heading=(r"^(iscriviti|registrati) alla (nostra )?newsletter\b.{0,60}$",),
    subscribe_heading=(r"^(abbonati( ora| subito)?|sei già abbonato)\b.{0,60}$",),
    call_to_action=(r"^(iscriviti|abbonati|registrati|scopri di più|continua|invia)\W*$",),
    sign_in=(r"^(accedi|login|entra)\b.{0,40}$",),
    image_credit=(r"^[\[(]?\s*(foto|immagine|crediti?)\s*:\s*.{1,100}$",),
    copyright=(r"^©.{0,120}$", r"\btutti i diritti riservati\W*$", r"^(©\s*)?riproduzione riservata\W*$"),
    share_prompt=(
        r"^(condividi|condividi su (facebook|twitter|x|whatsapp)|stampa|commenta|(\d+ )?commenti)\W*$",
    ),
    more_prompt=(
        r"^(leggi anche|potrebbe interessarti|ti potrebbe interessare|articoli correlati|i più letti)\W*$",
        r"^(leggi anche|vedi anche)\s*:\s*.{1,160}$",
    ),
    related_heading=(r"^(articoli correlati|i più letti|potrebbe interessarti|ti potrebbe interessare)\W*$",),
    interface=(r"^(precedente|successivo|chiudi|schermo intero|caricamento)\W*$",),
    cookie_notice=(r"^(questo sito (web )?utilizza (i )?cookie|utilizziamo (i )?cookie)\b",),
)
PORTUGUESE = _pack(
    "pt",
    newsletter_heading=(r"^(assine|inscreva-se (n)?a|receba) (a )?(nossa )?newsletter\b.{0,60}$",),
    subscribe_heading=(r"^(assine( já| agora)?|já é assinante)\b.{0,60}$",),
    call_to_action=(r"^(assine|inscreva-se|saiba mais|continuar|enviar)\W*$",),
    sign_in=(r"^(entrar|faça login|iniciar sessão)\b.{0,40}$",),
    image_credit=(r"^[\[(]?\s*(foto|imagem|crédito)\s*:\s*.{1,100}$",),
    copyright=(r"^©.{0,120}$", r"\btodos os direitos reservados\W*$"),
    share_prompt=(
        r"^(compartilhe|compartilhar|partilhar|partilhe|imprimir|comentar|(\d+ )?comentários?)\W*$",
    ),
    more_prompt=(
        r"^(leia também|leia mais|veja também|saiba mais|mais lidas|notícias relacionadas)\W*$",
        r"^(leia também|leia mais|veja também)\s*:\s*.{1,160}$",
    ),
    related_heading=(r"^(notícias relacionadas|mais lidas|veja também|leia também)\W*$",),
    interface=(r"^(anterior|próximo|próxima|fechar|tela cheia|ecrã inteiro|carregando|a carregar)\W*$",),
    cookie_notice=(r"^(utilizamos cookies|este (site|sítio) (utiliza|usa) cookies)\b",),
)
DUTCH = _pack(
    "nl",
    newsletter_heading=(r"^(schrijf je in|meld je aan) voor (onze|de) nieuwsbrief\b.{0,60}$",),
    subscribe_heading=(r"^(word abonnee|neem een abonnement|al abonnee)\b.{0,60}$",),
    call_to_action=(r"^(aanmelden|inschrijven|lees verder|verder|verstuur)\W*$",),
    sign_in=(r"^(inloggen|log in)\b.{0,40}$",),
    image_credit=(r"^[\[(]?\s*(foto|beeld|afbeelding)\s*:\s*.{1,100}$",),
    copyright=(r"^©.{0,120}$", r"\balle rechten voorbehouden\W*$"),
    share_prompt=(r"^(delen|deel dit artikel|printen|reageer|(\d+ )?reacties?)\W*$",),
    more_prompt=(
        r"^(lees ook|lees meer|meest gelezen|gerelateerde artikelen|meer nieuws)\W*$",
        r"^(lees ook|lees meer)\s*:\s*.{1,160}$",
    ),
    related_heading=(r"^(meest gelezen|gerelateerde artikelen|meer nieuws|lees ook)\W*$",),
    interface=(r"^(vorige|volgende|sluiten|volledig scherm|laden)\W*$",),
    cookie_notice=(r"^(wij gebruiken cookies|deze (web)?site (gebruikt|maakt gebruik van) cookies)\b",),
)
# Languages written without spaces (Japanese, Chinese) and Korean. Their widget lines are matched
# whole (``^...$``), as in the packs above; the rules' length caps count words in every script
# (``textnorm.word_count``), so a caption-length cap is not one "word" of a whole paragraph.
# Punctuation: full-width forms (：［］【】（）) beside ASCII.
JAPANESE = _pack(
    "ja",
    newsletter_heading=(
        r"^(メールマガジン|メルマガ|ニュースレター)(の)?(登録|購読|配信|を受け取る).{0,30}$",
    ),
    subscribe_heading=(
        r"^[\[［【]?(有料)?会員限定(記事)?[\]］】]?.{0,60}$",
        r"^この記事は(有料)?会員限定(記事)?です.{0,60}$",
        r"^(有料会員|会員)(に)?(登録|なる)(する|と|して).{0,40}$",
    ),
    promo_blurb=(
        r"(登録|ログイン)(する|すると|して).{0,20}続きを(お)?読み(いただけます|になれます|ください)",
    ),
    imperative=(r"(登録|ログイン|申し込|購読)",),
    call_to_action=(r"^(今すぐ)?(無料)?(登録する|登録|申し込む|お申し込み|詳しくはこちら|続きを読む)\W*$",),
    sign_in=(r"^(ログイン|ログインはこちら|会員の方はこちら|新規(会員)?登録)\W*.{0,20}$",),
    image_credit=(r"^[（(]?\s*(写真|画像|撮影|提供)\s*[:：=＝]\s*.{1,60}$",),
    copyright=(r"(無断転載|無断複製|無断転用)(を)?(禁止|禁じます|禁ず)(します|る)?\W*$",),
    share_prompt=(
        r"^(この(ニュース|記事)を)?(シェア|共有)(する)?\W*$",
        r"^(ツイート|印刷|印刷する|ブックマーク|コメント(する|を書く)?)\W*$",
        r"^(facebook|twitter|x|line|はてな)で(シェア|共有|送る)(する)?\W*$",
    ),
    more_prompt=(
        r"^(関連記事|関連ニュース|あわせて読みたい|こちらもおすすめ|おすすめ記事|人気記事|もっと見る)\W*$",
        r"^(関連記事|関連ニュース|あわせて読みたい)\s*[:：]\s*.{1,80}$",
    ),
    related_heading=(
        r"^(関連記事|関連ニュース|あわせて読みたい|おすすめ記事|人気記事|アクセスランキング|最新記事)\W*$",
    ),
    interface=(r"^(前へ|次へ|前の(記事|ページ)|次の(記事|ページ)|閉じる|拡大する|拡大|読み込み中)\W*$",),
    cookie_notice=(r"^(当|この)(サイト|ウェブサイト)で(は)?(クッキー|cookie)",),
)
CHINESE = _pack(
    "zh",
    subscribe_heading=(
        r"^(订阅|訂閱)(我们|我們|本报|本報)?(的)?(新闻|新聞)?(通讯|通訊|电子报|電子報)\W*.{0,20}$",
    ),
    call_to_action=(
        r"^(点击|點擊)(查看|阅读|閱讀|进入|進入)(全文|更多)?\W*$",
        r"^(立即|马上|馬上)(订阅|訂閱|下载|下載|注册|註冊)\W*$",
    ),
    sign_in=(r"^(登录|登錄|注册|註冊|登录/注册|登錄/註冊)\W*$",),
    image_credit=(r"^[（(]?\s*(图|圖|图片|圖片|摄影|攝影|图片来源|圖片來源)\s*[:：/／]\s*.{1,60}$",),
    copyright=(
        r"^(版权所有|版權所有)(?!者|人)",
        r"(版权所有|版權所有)\s*([©:：,，。]|(19|20)\d{2}|$)",
        r"未(经|經)(许可|許可|授权|授權|允许|允許).{0,20}(不得|禁止|请勿|請勿)(转载|轉載|复制|複製|使用).{0,20}$",
    ),
    share_prompt=(
        r"^(分享(到|至)?|打印|列印|收藏|转发|轉發|评论|評論|(\d+\s*)?(条|則)?(评论|評論))\W*$",
        r"^(分享(到|至))\s*[:：]?\s*(微信|微博|qq|facebook|twitter|line)?\W*$",
    ),
    more_prompt=(
        r"^(相关|相關)(新闻|新聞|阅读|閱讀|文章|报道|報導)\W*$",
        r"^(推荐阅读|推薦閱讀|延伸阅读|延伸閱讀|热门文章|熱門文章|查看更多|阅读全文|閱讀全文)\W*$",
        r"^(相关阅读|相關閱讀|延伸阅读|延伸閱讀|推荐阅读|推薦閱讀)\s*[:：]\s*.{1,80}$",
    ),
    related_heading=(
        r"^(相关|相關)(新闻|新聞|阅读|閱讀|文章|报道|報導)\W*$",
        r"^(推荐阅读|推薦閱讀|延伸阅读|延伸閱讀|热门(文章|新闻|推荐)|熱門(文章|新聞|推薦)|猜你喜欢|猜你喜歡)\W*$",
    ),
    interface=(
        r"^(上一页|下一页|上一頁|下一頁|关闭|關閉|全屏|加载中|載入中|返回顶部|返回頂部)\W*$",
        r"^(上一篇|下一篇)\s*[:：].{0,80}$",
    ),
)
KOREAN = _pack(
    "ko",
    subscribe_heading=(r"^(구독하기|구독 신청|뉴스레터 구독)\W*.{0,30}$",),
    call_to_action=(r"^(구독하기|더보기|자세히 보기|신청하기)\W*$",),
    sign_in=(r"^(로그인|회원가입|로그인 ?/ ?회원가입)\W*$",),
    image_credit=(r"^[\[(]?\s*(사진|그래픽|자료|영상)\s*(제공)?\s*[=:]\s*.{1,60}$",),
    copyright=(r"무단\s*전재\s*(및|와|&|-|·|,)?\s*재배포\s*금지", r"^저작권자\s*[©ⓒ(].{0,80}$"),
    share_prompt=(r"^(공유하기|기사 ?공유|공유|인쇄|인쇄하기|스크랩|좋아요|댓글( ?\d+)?)\W*$",),
    more_prompt=(
        r"^(관련 ?기사|관련 ?뉴스|많이 본 (뉴스|기사)|추천 ?기사|인기 ?기사|최신 ?기사)\W*$",
        r"^(관련 ?기사|관련 ?뉴스)\s*:\s*.{1,120}$",
    ),
    related_heading=(r"^(관련 ?기사|관련 ?뉴스|많이 본 (뉴스|기사)|추천 ?기사|인기 ?기사|최신 ?기사)\W*$",),
    interface=(r"^(이전|다음|닫기|전체 ?화면|이전 ?기사|다음 ?기사|맨 ?위로)\W*$",),
)
LANGUAGES.update(
    {
        **{"de": GERMAN, "fr": FRENCH, "es": SPANISH, "tr": TURKISH, "it": ITALIAN, "pt": PORTUGUESE},
        **{"nl": DUTCH, "ja": JAPANESE, "zh": CHINESE, "ko": KOREAN},
    }
)
