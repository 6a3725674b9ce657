"""Brand-safety risk categories: what a brand can ask to keep away from.

A :class:`RiskCategory` is detected two ways. Its **keywords** catch the
explicit cases (``beer``, ``#craftbeer``) exactly; its **description**, a few
sentences written the way posts are written, is embedded and catches posts that
mean the same without the words. Post-like descriptions embed closer to real
posts than abstract definitions do: on the labelled tweets of ``data/safety``
the mean average precision by meaning is 0.32 against 0.22 for one-line
definitions (docs/quality.md). Each sentence is embedded on its own and the
category vector is their normalised mean.

The defaults follow the GARM brand-safety framework's categories, merged where
a creator catalog cannot tell them apart (terrorism is violence, debated social
issues are politics). Misinformation and online piracy are left out: neither a
keyword nor a topic vector can tell a false claim from a true one or a pirated
stream from a licensed one. Each threshold is calibrated on the hand-labelled
tweets (``benchmarks/safety.py``): where a category has at least 10 labelled
positive posts, the threshold that maximises F1 of keywords and meaning together
(profanity: meaning off, keywords alone do better); where it has fewer, the
99.5th percentile of its cosines over the 1,000 tweets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from ..util import check_number

__all__ = ["RiskCategory", "DEFAULT_RISK_CATEGORIES", "resolve_categories"]

_WORD = re.compile(r"\w")


def _fail(name: str, allowed: str, value: Any) -> ValueError:
    return ValueError(f"The '{name}' parameter of RiskCategory must be {allowed}. Got {value!r} instead.")


@dataclass(frozen=True)
class RiskCategory:
    """One topic a brand wants to avoid.

    Parameters
    ----------
    name : str
        Short identifier shown in reasons and exports (``"alcohol"``).
    description : str
        A few short sentences that read like typical posts on the topic; each is
        embedded and their mean is the category vector. Edit it to widen or
        narrow what is flagged by meaning.
    keywords : sequence of str
        Words and phrases matched case-insensitively as whole words, also in
        hashtags (``#beer``, and ``#craftbeer`` through hashtag splitting); a
        plural ``s`` is allowed (``beer`` matches ``beers``).
    threshold : float or None
        Cosine between a post vector and the category vector at or above which
        the post is flagged by meaning, in [0, 1]; None flags by keyword only.
        The default, 0.35, is about where the default categories flag 0.5% of
        everyday posts by meaning; calibrate a custom category on labelled
        posts as ``benchmarks/safety.py`` does.

    Examples
    --------
    >>> RiskCategory(name="energy drinks", description="Chugging an energy drink before the gym.",
    ...              keywords=["red bull", "monster energy"], threshold=0.5).keywords
    ('red bull', 'monster energy')
    """

    name: str
    description: str
    keywords: tuple[str, ...] = ()
    threshold: float | None = 0.35

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise _fail("name", "a non-empty str", self.name)
        if not isinstance(self.description, str) or not _WORD.search(self.description):
            raise _fail("description", "a str with at least one word", self.description)
        keywords = (self.keywords,) if isinstance(self.keywords, str) else self.keywords
        if not isinstance(keywords, Iterable):
            raise _fail("keywords", "a sequence of str", self.keywords)
        keywords = tuple(keywords)
        bad = [k for k in keywords if not isinstance(k, str) or not _WORD.search(k)]
        if bad:
            raise _fail("keywords", "a sequence of str, each with at least one word", bad[0])
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "keywords", tuple(dict.fromkeys(k.strip() for k in keywords)))
        object.__setattr__(self, "threshold", check_number(self.threshold, "threshold", "RiskCategory", minimum=0,
                                                           maximum=1, optional=True))
        if self.threshold is None and not self.keywords:
            raise _fail("threshold", "a number in [0, 1] when there are no keywords (nothing could be flagged)",
                        self.threshold)


def _category(name: str, threshold: float | None, keywords: str, *sentences: str) -> RiskCategory:
    return RiskCategory(name=name, description=" ".join(sentences), threshold=threshold,
                        keywords=tuple(k.strip() for k in keywords.split(",")))


# Keyword lists favour precision: words that are mostly figurative in posts ("killing it", "shots" of a game,
# "I bet", "dead" for laughing, "vote" for fan polls) are left to the meaning test.
_DEFAULTS = (
    _category(
        "alcohol", 0.520,
        "alcohol, alcoholic, beer, craft beer, ale, lager, ipa, stout, cider, wine, red wine, white wine, rosé, "
        "prosecco, champagne, cocktail, margarita, mojito, martini, sangria, mimosa, spritz, negroni, vodka, whisky, "
        "whiskey, bourbon, scotch, rum, gin, tequila, mezcal, sake, brandy, cognac, merlot, cabernet, chardonnay, "
        "pinot, sauvignon, malbec, riesling, shiraz, liquor, booze, boozy, brewery, winery, "
        "wine tasting, happy hour, pub crawl, bar crawl, bartender, mixology, hard seltzer, beer pong, keg, drunk, "
        "tipsy, hangover, hungover, tequila shots, jello shots",
        "Cracking open a cold beer after a long week.", "Wine night with the girls, pouring another glass of red.",
        "Trying the new cocktail menu at this bar tonight.", "Tequila shots at the party, who's in?",
        "So hungover after last night's drinks.", "Craft beer tasting at the local brewery.",
        "Champagne toast to celebrate the weekend!", "Getting drunk with my friends at the pub."),
    _category(
        "gambling", 0.394,
        "gambling, gamble, gambler, betting, bets, bettor, bet slip, betslip, place a bet, sportsbook, bookie, "
        "bookmaker, parlay, accumulator, wager, wagering, casino, poker, blackjack, roulette, slot machine, slots, "
        "jackpot, lottery, lotto, scratch card, bingo, free bets, betting odds, odds boost",
        "Placed my bets for tonight's game, let's cash this parlay.",
        "Big night at the casino, hit the jackpot on the slots!", "Poker night with the boys, all in on the river.",
        "Bought lottery tickets, fingers crossed for the draw.",
        "Today's free betting tips and odds for the weekend fixtures.",
        "Lost my whole bankroll at the blackjack table."),
    _category(
        "adult", 0.343,
        "sex, sexual, sexting, sex tape, sex worker, porn, porno, pornography, nude, nudes, naked, nudity, nsfw, "
        "onlyfans, fansly, horny, erotic, erotica, fetish, kink, kinky, orgasm, xxx, stripper, strip club, threesome, "
        "blowjob, hookup, one night stand, camgirl, boobs, tits, lewd",
        "Feeling so horny tonight, who wants to play?", "New spicy content on my OnlyFans, link in bio.",
        "Sending nudes is not cheating, fight me.", "We had sex all night and I can barely walk.",
        "Strip club with the boys on Saturday.", "NSFW art commissions open, explicit content only."),
    _category(
        "politics", 0.231,
        "politics, political, politician, politicians, election, elections, electoral, voters, referendum, "
        "president, presidential, prime minister, parliament, congress, senate, senator, congressman, "
        "congresswoman, governor, minister, government, mp, mps, democrat, democrats, republican, republicans, gop, "
        "liberal, liberals, conservative, conservatives, leftist, leftists, left wing, right wing, tory, tories, "
        "labour party, partisan, legislation, lawmakers, impeachment, democracy, dictatorship, authoritarian, "
        "socialism, communism, fascism, brexit, trump, biden, obama, putin, modi, abortion, pro life, "
        "pro choice, gun control, immigration, vaccine mandate, vaccine mandates, protest, protesters, sanctions, "
        "nato, coup, regime",
        "The government's new policy is a disaster, vote them out at the next election.",
        "Republicans and Democrats are both failing the people.",
        "The prime minister must resign after this scandal.", "Join the protest at parliament this Saturday.",
        "Abortion rights and gun control are on the ballot.",
        "The president's speech on immigration was a disgrace.", "Sanctions on Russia after the invasion of Ukraine."),
    _category(
        "profanity", None,
        "fuck, fucks, fucking, fucked, fucker, motherfucker, fck, fuk, f*ck, f**k, shit, shitty, bullshit, sh*t, "
        "bitch, bitches, bitching, b*tch, ass, asshole, arse, arsehole, dumbass, jackass, bastard, dick, dickhead, "
        "cunt, piss, pissed, wtf, stfu, fml, af, mf, mfs, hoe, hoes, wanker, twat",
        "What the fuck is wrong with people.", "This shit is so annoying, I'm done.",
        "Stop being such a bitch about it.", "He's a lazy ass motherfucker.", "Fuck this fucking week, seriously.",
        "That's some bullshit right there, wtf."),
    _category(
        "violence", 0.391,
        "violence, violent, murder, murdered, murderer, homicide, stabbed, stabbing, mass shooting, school shooting, "
        "shot dead, gunman, gunfire, massacre, genocide, ethnic cleansing, war crimes, terrorist, terrorists, "
        "terrorism, terror attack, bombing, airstrike, airstrikes, shelling, invasion, assault, assaulted, rape, "
        "raped, torture, tortured, beheaded, lynching, riot, riots, brutality, beaten to death",
        "A man was stabbed to death outside the station last night.",
        "Police say the gunman opened fire on the crowd.", "Airstrikes killed dozens of civilians in the city.",
        "He beat her up and left her bleeding on the floor.", "The terror attack left the whole country in shock.",
        "Video shows protesters being brutally assaulted."),
    _category(
        "drugs", 0.344,
        "drugs, weed, marijuana, cannabis, thc, cbd, edibles, blunt, stoned, getting high, got high, cocaine, "
        "crack cocaine, heroin, meth, crystal meth, mdma, ecstasy, lsd, shrooms, magic mushrooms, psychedelics, "
        "ketamine, fentanyl, opioid, opioids, codeine, xanax, overdose, overdosed, drug dealer, drug dealing, "
        "narcotics, 420",
        "Smoking weed and chilling all day.", "Got so high off these edibles last night.",
        "He was arrested for dealing cocaine and meth.", "Took molly at the festival and danced till sunrise.",
        "Another overdose in our town, fentanyl is everywhere.", "Rolling a blunt before the movie."),
    _category(
        "tobacco", 0.374,
        "tobacco, cigarette, cigarettes, cig, cigs, cigar, cigars, smoking, smoker, smokers, nicotine, vape, vapes, "
        "vaping, e-cig, e-cigarette, juul, hookah, shisha, snus, nicotine pouches, chewing tobacco",
        "Having a cigarette on my break.", "Just bought a new vape, mango flavour hits different.",
        "Trying to quit smoking, day three without a cig.", "Hookah lounge with the crew tonight.",
        "Lit a cigar to celebrate the win.", "Nicotine pouches got me through the exam."),
    _category(
        "weapons", 0.306,
        "gun, guns, handgun, pistol, rifle, shotgun, firearm, firearms, ammo, ammunition, bullets, ar 15, ak 47, "
        "assault rifle, glock, revolver, sniper rifle, grenade, grenades, missile, missiles, explosives, machete, "
        "switchblade, gun range, shooting range, concealed carry, nra, second amendment",
        "Took my new rifle to the shooting range today.", "Cleaning my guns and stocking up on ammo.",
        "Just got my concealed carry permit, pistol on my hip.", "The army received new missiles and tanks.",
        "Bought a hunting knife and a shotgun for the season.",
        "Second Amendment rights, they will never take our guns."),
    # Slurs are listed so that they can be matched; the list is short on purpose and users extend it.
    _category(
        "hate", 0.350,
        "nigger, niggers, nigga, niggas, faggot, faggots, fag, fags, tranny, trannies, retard, retarded, chink, "
        "spic, kike, wetback, raghead, towelhead, subhuman, white power, heil hitler, sieg heil",
        "Immigrants are vermin and should all be sent back.", "Those people are subhuman, every one of them.",
        "Gays should not be allowed near children.", "Women are too stupid to vote.",
        "Jews control the banks and the media.", "Muslims are all terrorists, ban them."),
    _category(
        "crime", 0.293,
        "crime, crimes, criminal, criminals, arrested, convicted, sentenced, prison, jail, jailed, inmate, robbery, "
        "burglary, burglar, theft, thief, thieves, shoplifting, fraud, scam, scammer, scammers, embezzlement, "
        "bribery, bribe, money laundering, trafficking, smuggling, kidnapping, kidnapped, extortion, blackmail, "
        "felony, cartel",
        "The suspect was arrested and charged with robbery.", "Scammers stole thousands from elderly victims.",
        "He was sentenced to ten years in prison for fraud.", "Burglars broke into our house while we were away.",
        "Police are investigating a human trafficking ring.", "My car got stolen last night, police did nothing."),
    _category(
        "tragedy", 0.298,
        "died, death, deaths, passed away, rest in peace, rip, funeral, obituary, condolences, mourning, fatal, "
        "fatalities, casualties, death toll, tragedy, tragic, earthquake, tsunami, hurricane, wildfire, plane crash, "
        "car crash, killed in, critically injured, seriously injured, famine, starvation, humanitarian crisis",
        "Rest in peace, gone too soon. My condolences to the family.", "My grandmother passed away this morning.",
        "The earthquake death toll has risen to hundreds.",
        "Three people died in a horrific car crash on the highway.",
        "Praying for everyone who lost their homes in the floods.",
        "He was critically injured in the accident and is in intensive care."),
)

DEFAULT_RISK_CATEGORIES: Mapping[str, RiskCategory] = MappingProxyType({c.name: c for c in _DEFAULTS})
"""The built-in categories by name (read-only); copy one with :func:`dataclasses.replace` to edit it."""

_FIELDS = tuple(f.name for f in fields(RiskCategory))


def _from_mapping(spec: Mapping[str, Any]) -> RiskCategory:
    unknown = sorted(set(spec) - set(_FIELDS))
    if unknown:
        raise ValueError(f"A custom risk category takes the keys {', '.join(_FIELDS)}. Got unknown key(s) "
                         f"{', '.join(map(repr, unknown))} instead.")
    if "name" not in spec:
        raise ValueError(f"A custom risk category needs a 'name'. Got the keys {sorted(spec)} instead.")
    base = DEFAULT_RISK_CATEGORIES.get(str(spec["name"]).strip().lower())
    if base is not None and "description" not in spec:
        return replace(base, **{k: v for k, v in spec.items() if k != "name"})
    if "description" not in spec:
        raise ValueError(f"The custom risk category {spec['name']!r} needs a 'description' (a few sentences that "
                         "read like posts on the topic); only default categories may leave it out.")
    return RiskCategory(**dict(spec))


def resolve_categories(topics: Any) -> tuple[RiskCategory, ...]:
    """Risk categories from names, :class:`RiskCategory` objects or mappings.

    Parameters
    ----------
    topics : str, RiskCategory, mapping, or a sequence of them, or None
        A str names a default category (case-insensitive). A mapping with the
        keys ``name``, ``description`` and optionally ``keywords`` and
        ``threshold`` is a custom category; a mapping that names a default and
        leaves out the description overrides only the fields it gives
        (``{"name": "alcohol", "threshold": 0.5}``).

    Returns
    -------
    tuple of RiskCategory
        In the order given, without duplicates of a name.

    Examples
    --------
    >>> [c.name for c in resolve_categories(["Alcohol", {"name": "crypto", "description": "Buy this coin now."}])]
    ['alcohol', 'crypto']
    >>> resolve_categories("alcool")
    Traceback (most recent call last):
    ...
    ValueError: Unknown risk category 'alcool'. Valid names are adult, alcohol, crime, drugs, gambling, hate, \
politics, profanity, tobacco, tragedy, violence, weapons; pass a RiskCategory or a mapping {name, description, \
keywords, threshold} for a custom one.
    """
    if topics is None:
        return ()
    if isinstance(topics, (str, RiskCategory, Mapping)):
        topics = [topics]
    out: dict[str, RiskCategory] = {}
    for topic in topics:
        if isinstance(topic, RiskCategory):
            category = topic
        elif isinstance(topic, str):
            category = DEFAULT_RISK_CATEGORIES.get(topic.strip().lower())
            if category is None:
                raise ValueError(f"Unknown risk category {topic!r}. Valid names are "
                                 f"{', '.join(sorted(DEFAULT_RISK_CATEGORIES))}; pass a RiskCategory or a mapping "
                                 "{name, description, keywords, threshold} for a custom one.")
        elif isinstance(topic, Mapping):
            category = _from_mapping(topic)
        else:
            raise TypeError("Each avoided topic must be a str, a RiskCategory or a mapping. "
                            f"Got {type(topic).__name__} {topic!r} instead.")
        if category.name in out and out[category.name] != category:
            raise ValueError(f"Two different risk categories are named {category.name!r}; give each a unique name.")
        out[category.name] = category
    return tuple(out.values())
