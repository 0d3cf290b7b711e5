"""Word lists the rule extractor and comparator share.

Kept as data in one place so that a newsroom can extend them without touching logic.
Every entry is lower-case; look-ups fold case first.
"""

from __future__ import annotations

# Countries, regions and cities: a capitalised run equal to one of these is a place.
PLACE_NAMES = frozenset(
    {
        "russia",
        "china",
        "north korea",
        "south korea",
        "korea",
        "japan",
        "ukraine",
        "united states",
        "the united states",
        "us",
        "u.s.",
        "usa",
        "america",
        "britain",
        "uk",
        "u.k.",
        "united kingdom",
        "india",
        "iran",
        "syria",
        "turkey",
        "israel",
        "germany",
        "france",
        "poland",
        "belarus",
        "taiwan",
        "europe",
        "asia",
        "moscow",
        "pyongyang",
        "vladivostok",
        "seoul",
        "washington",
        "sochi",
        "donetsk",
        "kyiv",
        "kiev",
        "beijing",
        "tokyo",
        "london",
        "paris",
        "berlin",
        "black sea",
        "camp david",
        "crimea",
        "dprk",
    }
)

# City -> country, so that "Vladivostok" and "Russia" are containment, not conflict.
CONTAINED_IN = {
    "moscow": "russia",
    "vladivostok": "russia",
    "sochi": "russia",
    "pyongyang": "north korea",
    "seoul": "south korea",
    "washington": "united states",
    "donetsk": "ukraine",
    "kyiv": "ukraine",
    "kiev": "ukraine",
    "crimea": "ukraine",
    "beijing": "china",
    "tokyo": "japan",
    "london": "united kingdom",
    "paris": "france",
    "berlin": "germany",
    "camp david": "united states",
}

# Words that make a capitalised run an organisation.
ORG_WORDS = frozenset(
    """kremlin house council ministry department times university institute agency group
    news programme program pentagon treasury nations nato reuters tass
    wagner congress senate parliament army navy committee commission party administration
    government bank corporation company inc corp ltd post journal press guardian bbc cnn
    epoch ndtv office bureau court""".split()
)

# Capitalised titles inside a name run: everything up to the last title is a descriptor.
TITLE_WORDS = frozenset(
    """mr mr. mrs mrs. ms ms. dr dr. gen gen. general president minister secretary senator
    sen sen. chancellor leader spokesman spokeswoman spokesperson professor prof prof.
    adviser advisor director chairman chairwoman ambassador envoy king queen prince
    pope premier governor mayor commander chief lt lt. col col. adm adm. sgt capt
    fellow coordinator representative official""".split()
)

# Lower-case role nouns that describe the person named right after them.
ROLE_WORDS = frozenset(
    """spokesman spokeswoman spokesperson leader official adviser advisor minister
    president envoy diplomat expert analyst professor fellow director chairman chairwoman
    ambassador secretary general commander representative coordinator""".split()
)

# Gendered descriptors and pronouns.
FEMALE_WORDS = frozenset(
    """spokeswoman chairwoman congresswoman businesswoman mrs mrs. ms ms. madam queen
    princess woman wife mother daughter sister she her hers herself""".split()
)
MALE_WORDS = frozenset(
    """spokesman chairman congressman businessman mr mr. sir king prince man husband
    father son brother he him his himself""".split()
)
GENDERED_PRONOUNS = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself"})

# Demonyms and adjectives that open a capitalised run but are not part of a name.
DEMONYMS = frozenset(
    """russian korean north south american ukrainian chinese japanese british turkish
    western eastern soviet indian european iranian german french us u.s.""".split()
)

# Capitalised words that start sentences without starting names.
STOP_CAPS = frozenset(
    """the a an in on at but and or as for when while if although though even according
    such this that these those it he she they we i you his her its their our my your last
    both any instead so there here after before since during from with without by to of
    then also however meanwhile moreover still yet not no what which who whom whose how
    why where once read more political defence defense diplomatic warning envoy thanks
    just let at news other some many most several few all each every""".split()
)

MONTHS = frozenset(
    """january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())

# Verbs of saying: surface form -> lemma.
SPEECH_VERBS = {
    "said": "say",
    "says": "say",
    "issued": "say",
    "say": "say",
    "stated": "say",
    "told": "say",
    "declared": "say",
    "declares": "say",
    "claimed": "say",
    "added": "say",
    "asserted": "say",
    "noted": "say",
    "explained": "say",
    "announced": "say",
    "insisted": "say",
    "predicted": "say",
    "reported": "say",
    "tweeted": "say",
    "wrote": "say",
    "warned": "warn",
    "denied": "deny",
    "alleged": "accuse",
    "accused": "accuse",
    "confirmed": "confirm",
}

# Event verbs: surface form -> lemma.
EVENT_VERBS = {
    "visited": "visit",
    "visits": "visit",
    "visit": "visit",
    "traveled": "travel",
    "travelled": "travel",
    "travels": "travel",
    "travel": "travel",
    "head": "travel",
    "heads": "travel",
    "met": "meet",
    "meet": "meet",
    "meets": "meet",
    "joined": "join",
    "joins": "join",
    "join": "join",
    "imposed": "impose",
    "imposes": "impose",
    "impose": "impose",
    "sanctioned": "sanction",
    "supplied": "supply",
    "supplies": "supply",
    "supply": "supply",
    "provided": "supply",
    "provides": "supply",
    "vetoed": "veto",
    "tested": "test",
    "conducted": "conduct",
    "attended": "attend",
    "held": "hold",
    "signed": "sign",
    "killed": "kill",
    "launched": "launch",
    "fired": "fire",
    "arrested": "arrest",
    "invaded": "invade",
    "attacked": "attack",
}

SPECULATIVE_WORDS = frozenset(
    """may might could likely possibly perhaps probably potential purported would""".split()
)
PLANNED_WORDS = frozenset("""will plans plan planned planning intends expects set to""".split())
NEGATION_WORDS = frozenset("""not never no n't""".split())

# Acronyms that name organisations (matched case-sensitively, so "Kim Jong Un" stays a person).
ORG_ACRONYMS = frozenset({"UN", "UNSC", "NSC", "NATO", "AFP", "TASS", "BBC", "CNN", "NDTV", "EU"})

# Unnamed speakers: a noun phrase ending in one of these can be a speaker.
SPEAKER_NOUNS = frozenset(
    """source sources official officials spokesman spokeswoman spokesperson ministry
    government analysts observers experts newspaper paper representative diplomat
    administration agency department council kremlin house he she they""".split()
)

# -- titles of office (checker.entities.parse_title) --------------------------------------
# A person's descriptor holds a title when it names one of these. Gendered and spelling
# variants fold to one head, so "spokeswoman" / "spokesman" is a gender question
# (pronoun_gender), never a change of title.
OFFICE_HEADS = {
    "minister": "minister",
    "ministers": "minister",
    "secretary": "secretary",
    "president": "president",
    "premier": "premier",
    "chancellor": "chancellor",
    "spokesman": "spokesperson",
    "spokeswoman": "spokesperson",
    "spokesperson": "spokesperson",
    "adviser": "adviser",
    "advisor": "adviser",
    "ambassador": "ambassador",
    "governor": "governor",
    "gov": "governor",
    "mayor": "mayor",
    "senator": "senator",
    "sen": "senator",
    "congressman": "representative",
    "congresswoman": "representative",
    "congressperson": "representative",
    "judge": "judge",
    "king": "monarch",
    "queen": "monarch",
    "pope": "pope",
}
# "general" after one of these is part of an office ("Attorney General"), not a rank.
GENERAL_OFFICES = frozenset(
    "secretary attorney surgeon solicitor inspector governor postmaster auditor consul".split()
)
# Offices whose portfolio tells them apart; a minister and a secretary of one portfolio
# are the same office under two countries' names ("Foreign Secretary", "Foreign Minister").
PORTFOLIO_HEADS = frozenset({"minister", "secretary", "adviser"})
# Military ranks: compatible with any office ("Gen. Shoigu", defence minister), in conflict
# only with another rank. A compound ("Lt. Gen.") is a form of its last word.
RANK_HEADS = {
    "general": "general",
    "gen": "general",
    "admiral": "admiral",
    "adm": "admiral",
    "colonel": "colonel",
    "col": "colonel",
    "captain": "captain",
    "capt": "captain",
    "sergeant": "sergeant",
    "sgt": "sergeant",
    "marshal": "marshal",
    "major": "major",
    "maj": "major",
}
RANK_PREFIXES = frozenset("lt lieutenant brig brigadier vice rear field staff master".split())
# Words before an office that make it another office ("Deputy Foreign Minister").
OFFICE_RANKS = frozenset("deputy vice prime assistant junior".split())
# Portfolios: what a minister, secretary or adviser is in charge of ("Defense Minister",
# "Secretary of State"). Two different portfolios of one head are two offices.
PORTFOLIOS = frozenset(
    """defense defence foreign interior home finance justice health state treasury trade
    economy economic energy education agriculture transport transportation labor labour
    environment culture security intelligence communications commerce industry
    unification immigration housing""".split()
)
# Words that say a title is not (or not only) the current one: "former Defense Minister",
# "then-Defense Minister", "now Security Council Secretary", "the new foreign minister".
TITLE_TIME_MARKERS = frozenset(
    """former ex then late outgoing incoming new newly now erstwhile onetime one-time
    future previous prior""".split()
)
# A sentence reporting an appointment explains a change of title; it is not an error.
APPOINTMENT_WORDS = frozenset(
    """appointed appoints appoint named nominated nominates became become becomes
    promoted replaced replaces succeeded succeeds sworn elected resigned resigns
    dismissed sacked reshuffle reshuffled demoted""".split()
)

# Seats of government that news copy uses for the government itself ("Pyongyang said",
# "the Kremlin denied"), each with the country it stands for. Used only for who speaks or
# acts, never for where something happens ("talks in Pyongyang" stay in a city).
SEATS_OF_GOVERNMENT = {
    "pyongyang": "north korea",
    "moscow": "russia",
    "kremlin": "russia",
    "washington": "united states",
    "white house": "united states",
    "beijing": "china",
    "kyiv": "ukraine",
    "kiev": "ukraine",
    "seoul": "south korea",
    "tokyo": "japan",
    "london": "united kingdom",
    "downing street": "united kingdom",
    "paris": "france",
    "elysee": "france",
    "berlin": "germany",
    "tehran": "iran",
    "ankara": "turkey",
    "minsk": "belarus",
    "warsaw": "poland",
    "taipei": "taiwan",
}
