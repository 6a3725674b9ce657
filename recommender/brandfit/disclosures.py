"""The vocabulary of sponsorship disclosures: hashtags, label words and phrases, with why each is (not) counted.

:mod:`recommender.brandfit.sponsorship` compiles these tables; they live apart so that adding a language is an edit
of data, not of logic. Everything is matched case-insensitively. A hashtag counts only as a whole tag: ``#ad``
matches in ``"#ad"``, ``"#ad,"`` and ``"... #ad"``, never inside ``#adventure``, ``#adidas`` or ``#address``.
"""

from __future__ import annotations

__all__ = ["DISCLOSURE_TAGS", "EXCLUDED_TAGS", "LABEL_WORDS", "PARTNER_TAG_EXCLUDED", "PHRASES", "NEGATIONS"]

DISCLOSURE_TAGS: dict[str, str] = {
    # English: the tags the FTC (US), ASA/CMA (UK) and ACCC (AU) guidance names or sees in practice.
    "ad": "advertisement; the disclosure the FTC and ASA recommend",
    "ads": "plural of #ad",
    "advert": "UK 'advert'",
    "advertisement": "spelt out",
    "advertising": "spelt out",
    "sponsored": "sponsored post",
    "sponsoredpost": "sponsored post",
    "spon": "short for sponsored (named by the FTC as ambiguous, still a disclosure)",
    "paid": "paid post",
    "paidad": "paid advertisement",
    "paidpost": "paid post",
    "paidpartnership": "Instagram's 'paid partnership' as a tag",
    "paidpartner": "paid partner",
    "partner": "brand partner (used alone, not #lifepartner: see PARTNER_TAG_EXCLUDED)",
    "partnership": "brand partnership",
    "brandpartner": "brand partner",
    "ambassador": "brand ambassador (an ongoing paid relationship)",
    "brandambassador": "brand ambassador",
    "collab": "brand collaboration; creator-to-creator collaborations use it too, a known source of false alarms",
    "gifted": "free product: a material connection under FTC and ASA rules",
    "giftedproduct": "free product",
    "pr": "PR package; the standard disclosure in Japan and Korea; also 'personal record' on fitness accounts",
    "prpackage": "PR package",
    "prgift": "PR gift",
    "prsample": "PR sample",
    "affiliate": "affiliate link (commission on sales)",
    "affiliatelink": "affiliate link",
    "commissionsearned": "Amazon-style affiliate disclosure",
    # German: 'Werbung' or 'Anzeige' is required by German courts for any commercial mention, paid or not.
    "anzeige": "German 'advertisement' (the legal label)",
    "werbung": "German 'advertising'",
    "werbungunbezahlt": "German 'unpaid advertising': still declared commercial by the creator",
    "unbezahltewerbung": "German 'unpaid advertising'",
    "kooperation": "German 'cooperation'",
    # Romance languages.
    "publicidad": "Spanish 'advertising'",
    "publi": "Spanish/Portuguese short for publicidad/publicidade",
    "publipost": "Brazilian Portuguese 'sponsored post'",
    "publicidade": "Portuguese 'advertising'",
    "patrocinado": "Spanish/Portuguese 'sponsored'",
    "patrocinada": "feminine of patrocinado",
    "colaboracion": "Spanish 'collaboration' (written without the accent)",
    "colaboración": "Spanish 'collaboration'",
    "parceria": "Portuguese 'partnership'",
    "publicité": "French 'advertising'",
    "publicite": "French, without the accent",
    "sponsorisé": "French 'sponsored'",
    "sponsorise": "French, without the accent",
    "partenariat": "French 'partnership'",
    "collaborationcommerciale": "French 'commercial collaboration' (the ARPP wording)",
    "pubblicità": "Italian 'advertising'",
    "pubblicita": "Italian, without the accent",
    "adv": "Italian short for advertising (IAP Digital Chart); also motorbike 'adventure', a known false alarm",
    "sponsorizzato": "Italian 'sponsored'",
    # Northern and eastern Europe.
    "reclame": "Dutch 'advertising'",
    "advertentie": "Dutch 'advertisement'",
    "gesponsord": "Dutch 'sponsored'",
    "samenwerking": "Dutch 'collaboration' (the Dutch Reclame Code's suggested tag)",
    "samarbete": "Swedish 'collaboration'",
    "annons": "Swedish 'advertisement'",
    "reklam": "Swedish/Turkish 'advertising'",
    "reklame": "Danish/Norwegian 'advertising'",
    "annonse": "Norwegian 'advertisement'",
    "sponset": "Norwegian 'sponsored'",
    "samarbejde": "Danish 'collaboration'",
    "samarbeid": "Norwegian 'collaboration'",
    "mainos": "Finnish 'advertisement'",
    "kaupallinenyhteistyö": "Finnish 'commercial collaboration'",
    "reklama": "Polish/Czech/Slovak 'advertising'",
    "współpraca": "Polish 'collaboration'",
    "spolupráce": "Czech 'collaboration'",
    "işbirliği": "Turkish 'collaboration'",
    "реклама": "Russian/Ukrainian 'advertising'",
    # East Asia.
    "광고": "Korean 'advertisement' (Korean FTC guideline)",
    "유료광고": "Korean 'paid advertisement'",
    "협찬": "Korean 'sponsorship'",
    "広告": "Japanese 'advertisement' (Japan's 2023 stealth-marketing rule)",
    "プロモーション": "Japanese 'promotion'",
    "タイアップ": "Japanese 'tie-up'",
    "提供": "Japanese 'provided by'",
    "广告": "Chinese 'advertisement'",
}
"""Disclosure hashtags (lower case, without ``#``) and why each counts."""

EXCLUDED_TAGS: dict[str, str] = {
    "sp": "also the tag of Sao Paulo (Brazil) on many travel posts; the FTC itself calls it unclear",
    "giveaway": "creators run their own giveaways; a brand's giveaway carries #ad or 'in partnership with'",
    "promo": "mostly self-promotion of the creator's own work",
    "gift": "gift guides and birthday posts; '#gifted' is the disclosure",
    "pub": "French short for publicité, but far more often an English pub (a bar)",
    "collaboration": "used for creator-to-creator and artist collaborations far more than for brands",
    "notsponsored": "says the opposite; listed so nobody adds it",
    "notanad": "says the opposite",
    "광고아님": "Korean 'not an ad'",
    "내돈내산": "Korean 'bought with my own money': explicitly not sponsored",
}
"""Tags deliberately *not* counted, and why (documentation; never matched)."""

PARTNER_TAG_EXCLUDED = frozenset({
    "life", "crime", "crimes", "soul", "business", "dance", "gym", "workout", "training", "travel", "study",
    "running", "climbing", "tennis", "chess", "writing",
})
"""Prefixes of ``#<x>partner`` / ``#<x>ambassador`` that are not brands (``#lifepartner``, ``#gympartner``).

The brand form (``#WalmartPartner``, ``#DunkinPartner``, ``#lululemonambassador``) is what retailers ask
their creators to use, and its prefix names the likely sponsor.
"""

LABEL_WORDS = ("ad", "ads", "advert", "advertisement", "sponsored", "paid partnership", "anzeige", "werbung",
               "publicidad", "publi", "publicité", "pubblicità", "adv", "reclame", "reklama", "reklame", "reklam",
               "annons", "annonse", "mainos", "광고", "협찬", "広告", "プロモーション")
"""Words that disclose when they stand as a label: in brackets (``(ad)``, ``[Werbung]``, ``【PR】``), between
asterisks, or first on a line before a separator (``AD | ...``, ``Anzeige: ...``). Anywhere else they
are ordinary words ("no ads", "ad-free") and do not count. "PR" is a label only in Japanese brackets
(``【PR】``, a phrase below): "(PR)" and "PR:" are a personal record on fitness accounts."""

_H = r"@[\w.]+"  # a handle; the tables below use it where a phrase only counts with a tagged account
_CODE = r"(?-i:(?=[A-Z0-9_-]*[A-Z])[A-Z0-9][A-Z0-9_-]{2,19}|[A-Za-z]{2,}\d{1,4})(?![\w-])"
# A discount code: an upper-case token with at least one letter (GEMMA15, 72GK9G) or a word with a number
# (maya10). "use code blocks" and "dress code" are not codes.

PHRASES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    # (an example it matches, keywords one of which every match contains in lower case, regex); keywords are
    # ASCII or caseless (Hangul, kana, CJK), so that a byte search over ASCII-lower-cased captions finds them
    # English.
    ("paid partnership with @glowco", ("paid",), r"paid\s+(?:partnership|promotion|post|collab(?:oration)?)"),
    ("@glowco paid for this one", ("paid",), rf"{_H}\s+paid\s+(?:for|me\s+for)\s+(?:this|today)"),
    ("new lamp, ad: @glowco", ("ad:", "ads:", "ad|", "ad |", "ads|", "ads |"), rf"(?<![\w#])ads?(?::|\s?\|)\s*{_H}"),
    ("in partnership with @glowco", ("partnership",), r"in\s+partnership\s+with"),
    ("teamed up with @glowco", ("partner", "teamed"),
     rf"(?:partner(?:ed|ing)|teamed\s+up|proud\s+to\s+partner)\s+with\s+{_H}"),
    ("in collaboration with @glowco", ("collaboration",), rf"in\s+collaboration\s+with\s+{_H}"),
    ("sponsored by Glowco", ("sponsored",), r"(?<![\w-])sponsored\s+by"),
    ("this video is sponsored", ("sponsored",),
     r"(?:post|video|reel|episode|vlog|story|content)\s+(?:is|was)\s+(?:\w+\s+)?sponsored"),
    ("big thanks for sponsoring this video", ("sponsoring", "partnering"),
     r"for\s+(?:sponsoring|partnering\s+(?:on|with))"),
    ("thank you @glowco for sending", ("thank",),
     rf"thanks?\s+(?:you\s+)?(?:so\s+much\s+)?(?:to\s+)?{_H}\s+for\s+(?:sponsoring|gifting|sending|"
     r"the\s+(?:gift|pr|samples?|package|goodies|free)|providing|collaborating)"),
    ("gifted by @glowco", ("gifted",), rf"gifted\s+(?:to\s+me\s+)?(?:by|from)\s+{_H}"),
    ("kindly gifted", ("gifted",), r"kindly\s+gifted"),
    ("my PR package", ("package", "gift", "sample", "box", "haul"),
     r"(?<!\w)(?:pr\s+(?:package|gift|sample|box|haul)|press\s+(?:package|sample|gift))"),
    ("dress c/o @glowco", ("c/o",), rf"c/o\s+{_H}"),
    ("ambassador for @glowco", ("ambassador",),
     rf"(?:brand\s+)?ambassador\s+(?:for|of|with)\s+{_H}|brand\s+ambassador|{_H}\s+ambassador(?!\w)"),
    ("use my code MAYA10", ("code",),
     rf"(?:use|using|with|enter|apply)\s+(?:my\s+|the\s+|our\s+)?(?:discount\s+|promo\s+|referral\s+|"
     rf"coupon\s+)?code\s*:?\s*[\"'“]?{_CODE}"),
    ("my discount code", ("code",), r"(?:my|our)\s+(?:discount|promo|referral|coupon|affiliate)\s+code"),
    ("code MAYA for 10% off", ("code",), rf"code\s*:?\s*[\"'“]?{_CODE}[^\n]{{0,30}}?\d{{1,2}}\s?%"),
    ("link in bio for 20% off", ("%",),
     r"(?:link\s+in\s+(?:my\s+)?bio|swipe\s+up|my\s+link)[^\n]{0,40}?\d{1,2}\s?%\s*off"),
    ("20% off with my link", ("%",),
     r"\d{1,2}\s?%\s*off[^\n]{0,40}?(?:my\s+code|link\s+in\s+(?:my\s+)?bio|my\s+link)"),
    ("affiliate links below", ("affiliate", "commission"),
     r"affiliate\s+links?|earn\s+(?:a\s+)?(?:small\s+)?commission"),
    # German.
    ("in Zusammenarbeit mit @dm", ("zusammenarbeit", "kooperation"), r"in\s+(?:zusammenarbeit|kooperation)\s+mit"),
    ("bezahlte Partnerschaft", ("partnerschaft", "kooperation"), r"bezahlte\s+(?:partnerschaft|kooperation)"),
    ("gesponsert von dm", ("gesponsert",), r"gesponsert\s+(?:von|durch)"),
    ("mit dem Rabattcode", ("rabatt", "gutschein"), r"(?:rabatt|gutschein)-?code"),
    ("Werbung, unbezahlt", ("werbung",), r"unbezahlte\s+werbung|werbung\s*[(,:\-–]?\s*unbezahlt"),
    ("Werbung wegen Markennennung", ("werbung", "anzeige"),
     r"(?<!\w)(?:werbung|anzeige)\s+(?:wegen|durch)\s+(?:markennennung|verlinkung|marken\w*)"),
    # Spanish and Portuguese.
    ("en colaboración con @solmar", ("colabora", "alianza", "asocia"),
     r"en\s+(?:colaboraci[oó]n|alianza|asociaci[oó]n)\s+con|colaboraci[oó]n\s+(?:pagada|remunerada)"),
    ("patrocinado por Solmar", ("patrocinad",), r"patrocinad[oa]\s+por"),
    ("código de descuento", ("digo", "cupom"),
     r"c[oó]digo\s+(?:de\s+descuento|de\s+desconto|promocional)|cupom\s+de\s+desconto"),
    ("usa mi código LUCIA15", ("digo", "cupom", "cup"),
     rf"(?:usa|use|con|com)\s+(?:mi\s+|el\s+|o\s+|meu\s+)*(?:c[oó]digo|cupom|cup[oó]n)\s*:?\s*{_CODE}"),
    ("em parceria com @verdeviva", ("parceria",), r"em\s+parceria\s+com|parceria\s+paga"),
    ("gracias a @solmar por el regalo", ("gracias",),
     rf"gracias\s+a\s+{_H}\s+por\s+(?:patrocinar|el\s+regalo|enviarme|regalarme)"),
    # French and Italian.
    ("en partenariat avec Mira", ("partenariat", "commerciale"),
     r"en\s+partenariat\s+avec|partenariat\s+r[ée]mun[ée]r[ée]|collaboration\s+commerciale"),
    ("sponsorisé par Mira", ("sponsoris", "sponsorizzat"), r"sponsoris[ée]e?\s+par|sponsorizzat[oa]\s+da"),
    ("code promo", ("promo", "codice"), r"code\s+promo|codice\s+(?:sconto|promozionale)"),
    ("avec le code CLARA10", ("code", "codice"),
     rf"(?:avec\s+(?:le|mon)|usa\s+il(?:\s+mio)?|con\s+il(?:\s+mio)?)\s+(?:code|codice)\s*:?\s*{_CODE}"),
    ("offert par @sephora", ("offert",), rf"offert\s+par\s+{_H}"),
    ("in collaborazione con @kiwami", ("collaborazione", "partnership"),
     r"in\s+collaborazione\s+con|partnership\s+(?:pagata|retribuita)"),
    # Dutch, Scandinavian, Polish.
    ("in samenwerking met @fietsjes", ("samenwerking", "gesponsord", "korting"),
     r"in\s+samenwerking\s+met|gesponsord\s+door|kortingscode"),
    ("i samarbete med @fjallkraft", ("samarbe", "rabat"),
     r"i\s+samarbe(?:te|jde|id)\s+med|rabatt?kod(?:e|en)?(?!\w)"),
    ("we współpracy z @polana", ("pracy", "rabatowy", "sponsorowany"),
     r"we\s+współpracy\s+z|kod\s+rabatowy|(?:materiał|post)\s+sponsorowany"),
    # Korean and Japanese (no spaces between words, so no word boundaries).
    ("협찬받은 제품", ("광고", "협찬", "제공"), r"유료\s*광고|협찬\s*(?:받|을|으로)|제공\s*받"),
    ("【PR】新作", ("提供", "プロモーション", "【pr】", "[pr]"),
     r"(?:商品|製品)提供|提供\s*[:：]|プロモーションを含|【PR】|\[PR\]"),
)
"""Disclosure phrases. The matched text, with the handles right after it, is quoted in the signal; a phrase
just after a negation (:data:`NEGATIONS`) does not count: "this is not sponsored by anyone". Keywords only
spare the regex search of captions that cannot match."""

NEGATIONS = (r"(?:\b(?:not|no|never|nicht|kein\w*|nunca|pas|niet|inte|ikke|nie|sin|non)|n['’]t)[\s(*\"'“]+"
             r"(?:(?:a|an|the|even|really|actually|been|being|ever|any|un|une|ein|eine|es|est|um|uma)\s+)?$")
"""A negation right before a match, at most one filler word apart ("not sponsored", "isn't an ad", "no es
patrocinado"); Korean and Japanese negate after the word ("협찬 아님", "広告ではありません"), which the module
checks itself. A sentence break ends a negation: "No notes. Thanks to @brand for sponsoring" discloses. The word
boundary is written once for all words, so that the regex engine checks it once per character, not per word."""
