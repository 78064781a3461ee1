"""The rule tables of claim extraction: every pattern with the id it is recorded under.

Each rule is a :class:`Rule`: an id (what ``oc:extractedBy`` records), a compiled
pattern, and what a match means. The tables are data, read in order; the first
matching claim-type rule wins, so the order below is the priority (absence of evidence
before regulatory before availability ... before trial status).

>>> classify_claim_type("There are no publications in international journals").claim_type
'absence-of-evidence'
>>> [m.text for m in find_markers(HEDGE_RULES, "Tumours are said to shrink, reportedly.")]
['said to', 'reportedly']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oncoclaims.extract.screen import Lowered, could_match, required_words

__all__ = [
    "CLAIM_TYPE_RULES",
    "GENERIC_RULES",
    "HEDGE_RULES",
    "HYPE_RULES",
    "INDICATION_PATTERN",
    "POPULATION_RULES",
    "SKIP_RULES",
    "Marker",
    "Rule",
    "TypeMatch",
    "classify_claim_type",
    "find_indication",
    "find_markers",
    "find_population",
    "skip_reason",
]


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern and what it stands for (a claim type, a population, a marker kind)."""

    id: str
    pattern: re.Pattern[str]
    value: str
    #: What every match contains one of (:func:`.screen.required_words`): a cheap prefilter.
    words: frozenset[str] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TypeMatch:
    """A claim type found in a text, with the rule and the words that triggered it."""

    claim_type: str
    rule: str
    cue: str


@dataclass(frozen=True, slots=True)
class Marker:
    """A hedge or hype marker: the words as written, their offsets and the rule."""

    text: str
    start: int
    end: int
    rule: str


def _rules(prefix: str, table: list[tuple[str, str, str]]) -> tuple[Rule, ...]:
    return tuple(
        Rule(f"{prefix}:{name}", compiled, value, required_words(compiled))
        for name, value, pattern in table
        for compiled in (re.compile(pattern, re.IGNORECASE),)
    )


#: Claim types by cue words, highest priority first. Values are the `oc:claim-*` names.
CLAIM_TYPE_RULES = _rules(
    "type",
    [
        ("no-publication", "absence-of-evidence",
         r"\bno (?:\w+ ){0,2}(?:publications?|peer[- ]review\w*|papers?|studies|data|evidence)\b"),
        ("no-confirmation", "absence-of-evidence",
         r"\bno (?:\w+ ){0,2}(?:confirmation|verification|replication)\b"),
        ("not-published", "absence-of-evidence",
         r"\b(?:not|never) (?:yet )?(?:been )?(?:published|peer[- ]reviewed|independently "
         r"(?:confirmed|verified|replicated)|replicated)\b|\bunpublished\b"),
        ("unknown", "absence-of-evidence",
         r"\b(?:remains? to be seen|(?:is|are|remains?) (?:still )?(?:unknown|unclear|unproven)|"
         r"no one (?:can|could) say|(?:more|further) (?:study|studies|research|work|data) "
         r"(?:is |was |are |were )?(?:needed|required)|(?:further|more) (?:study|studies|research) "
         r"will show|(?:remains?|is|are) (?:very )?preliminary|big questions?|"
         r"will have to see|too (?:early|soon) to (?:know|say)|will be (?:needed|required) to|"
         r"not necessarily)\b"),
        ("regulator", "regulatory",
         r"\b(?:FDA|EMA|Food and Drug Administration|regulators?|health authorities|"
         r"dossier|approv(?:al|ed|es)|authori[sz]ation|licen[sc]ed)\b"),
        ("cost", "availability",
         r"\b(?:free of charge|free|cost(?:s|ly)?|price[sd]?|afford\w*|reimburs\w*|"
         r"(?:made |become |be )?available|expensive|accessible|market(?: potential)?|"
         r"rolled out|charge patients|deal worth|\$\d[\d,.]*(?: (?:million|billion))?)\b"),
        ("trial-plan", "trial-status",
         r"\b(?:pilot study|phase (?:I{1,3}V?|[1-4]) (?:study|trial)|(?:meant|designed|aimed) to "
         r"(?:evaluate|assess|test|determine|find out)|plans? to (?:treat|follow|enrol\w*|test|start)|"
         r"randomly assigned|randomi[sz]ed|(?:study|trial) involved|tested (?:\w+ ){1,3}on \d+|"
         r"received (?:\w+ )?injections)\b"),
        ("mechanism-explained", "mechanism",
         r"\b(?:the theory is|the goal of|(?:is|are|was|were) designed to|(?:is|are) aimed at|"
         r"works? by|how [\w-]+ works|(?:is|are) based on|genes? removed|"
         r"(?:replicat|proliferat)\w*)\b"),
        ("efficacy-outcome", "efficacy",
         r"\b(?:effective(?:ness)?|efficacy|shr[iau]nk\w*|disappear\w*|remission|cur(?:e|es|ed)|"
         r"surviv\w*|respon(?:se|ses|d|ded|ding)|benefit\w*|worked|dramatic|profound effect|"
         r"blown away|protect\w* against|free of (?:cancer|disease)|cancer[- ]free|"
         r"(?:extend|prolong)\w* (?:life|lives|survival)|tumou?r (?:growth|size)|"
         r"(?:stunning|impressive|remarkable|encouraging|positive) results|no recurrence|"
         r"tumou?r[- ]free|delay in tumou?r|developed tumou?rs|lived (?:an average of|to))\b"),
        # An outcome against a comparator: "16.3 percent ..., compared to 2.1 percent taking ..."
        ("compared-outcome", "efficacy",
         r"\b\d[\d.]*(?: ?%| percent| per cent)[^.;]{0,120}?\b(?:compared (?:to|with)|versus|vs\.?|"
         r"against) [^.;]{0,40}?\d[\d.]*(?: ?%| percent| per cent)"),
        ("safety-event", "safety",
         r"\b(?:side effects?|toxic (?:effects?|for)|toxicity|adverse (?:events?|effects?)|"
         r"syndrome|chills|nausea|fever|swelling|seizures?)\b"),
        ("mechanism", "mechanism",
         r"\b(?:oncolytic|mRNA|immune system|immune response|therapeutic vaccine|"
         r"genetically (?:modified|engineered)|engineered|chimeric antigen|antigens?|"
         r"T[- ]cells?|designed to|(?:stimulat|boost|activat|train)\w* (?:the |their )?"
         r"(?:body|immune)|teach(?:es)? the body|target(?:s|ed|ing)? (?:the |a )?"
         r"(?:molecule|protein|receptor|patients)|(?:does not|doesn't) stop|infects?)\b"),
        ("efficacy", "efficacy",
         r"\b(?:killed|kill(?:s|ing)?|destroy\w*|eliminat\w*|slow(?:s|ed)? "
         r"(?:the )?(?:growth|progression)|works?|promising results)\b"),
        ("safety", "safety",
         r"\b(?:safe(?:ty|ly)?|toxic|harmless|well tolerated|tolerated|risks?|no health effects|"
         r"functioned normally)\b"),
        ("trial", "trial-status",
         r"\b(?:trials?|phase (?:I{1,3}V?|[1-4])|volunteers|participants|enrolled|enrol\w*|"
         r"patients (?:were|have been) (?:treated|given)|published (?:\w+ ){0,2}in|"
         r"present(?:ed)? results|(?:study|studies|trial), (?:by|led by)|led by)\b"),
        # What was done in the study, last (an outcome in the same sentence wins): "and
        # injected the mixture into the brains of mice".
        ("procedure", "trial-status",
         r"\b(?:injected|infused|administered|implanted) (?:[\w-]+ ){0,5}(?:into|to) (?:the |their |each )?"
         r"(?:[\w-]+ ){0,2}(?:mice|rats|animals|patients|participants|volunteers|brains?|tumou?rs?|"
         r"blood|veins?|people|children|women|men)\b"),
    ],
)

#: Sentences that are never claims, whatever their cue words.
SKIP_RULES = _rules(
    "skip",
    [
        ("question", "question", r"\?[\"”’']*$"),
        ("conditional", "conditional", r"^(?:(?:but|and|so|yet|even),?\s+)?(?:if|unless|whether)\b"),
        # What a study set out to do is not what it found.
        ("aim", "aim",
         r"\b(?:objective|aim|goal|purpose) (?:was|is) to (?:determine|see|find|test|show|learn|"
         r"investigate)\b|\b(?:wanted|sought|set out) to (?:show|see|know|test|determine|find out|"
         r"investigate|learn)\b|^(?:\w+, )?the (?:team|researchers|scientists|investigators) "
         r"(?:then )?(?:investigated|examined|looked at)\b"),
        ("byline", "byline", r"^(?:by|photo|image|credit|©)\b"),
        # A sentence that only says who someone is ("She is the principal investigator on the
        # trial."): an introduction, not a claim about the therapy.
        ("role", "role",
         r"^(?:he|she|[A-Z][\w’'-]+(?: [A-Z][\w’'.-]+){0,3}) (?:is|was) (?:also )?(?:the|a|an|one of the) "
         r"(?:[\w-]+ ){0,3}(?:principal investigator|investigator|author|co-author|researcher|director|"
         r"professor|leader|head|chief|chair|spokes(?:man|woman|person)|member)s?"
         r"(?: (?:on|of|at|in|for|with) [^.;,“”\"]*)?\.?$"),
    ],
)

#: Sentences about therapies in general rather than one therapy; skipped unless they
#: name a therapy.
GENERIC_RULES = _rules(
    "generic",
    [
        ("plural-therapies", "generic",
         r"\b(?:many|most|other|some|new|such|so-called) (?:[\w-]+ ){0,2}"
         r"(?:therapies|treatments|drugs|vaccines|tools|announcements)\b"),
        ("history", "generic", r"\b(?:medical history|in recent years|the scientific community)\b"),
        # Background on the disease: "Glioblastoma kills about 15,000 adults …", "Symptoms include …".
        ("disease", "generic",
         r"^(?:[\w ]{0,30},\s+)?(?:(?:the|a|this)\s+)?(?:[\w-]+\s+){0,3}?(?:glioblastoma|melanoma|"
         r"leuka?emia|lymphoma|myeloma|cancer|disease|condition|symptoms|cases)\s+(?:\w+\s+){0,2}?"
         r"(?:kills?|killed|include|includes|affects?|causes?|results? in|(?:is|was) (?:a|an|the|one|"
         r"currently))\b"),
        # The need for a therapy is not a claim about one: "an effective therapy … is urgently needed".
        ("unmet-need", "generic",
         r"\b(?:effective|new|better) (?:therap(?:y|ies)|treatments?|drugs?)\b[^.]{0,60}?\b(?:is|are) "
         r"(?:urgently |badly |desperately )?needed\b"),
    ],
)

#: Hedge markers: words that hold the claim at a distance.
HEDGE_RULES = _rules(
    "hedge",
    [
        ("reportedly", "hedge", r"\b(?:reportedly|allegedly|purportedly|supposedly)\b"),
        ("said-to", "hedge", r"\b(?:said|reported|claimed|thought|believed|expected) to\b"),
        ("modal", "hedge", r"\b(?:may|might|could)\b"),
        ("appears", "hedge", r"\b(?:appears?|seems?|appeared|seemed) to\b|\bappears?\b"),
        ("possibly", "hedge", r"\b(?:possibly|potentially|perhaps|likely|unlikely)\b"),
        ("suggests", "hedge", r"\b(?:suggest(?:s|ed)?|hints?|hinted|preliminary|early signs?)\b"),
    ],
)

#: Hype markers: words that oversell.
HYPE_RULES = _rules(
    "hype",
    [
        ("total-effectiveness", "hype",
         r"\b(?:total|complete|full|100 ?(?:percent|per cent|%)) effective(?:ness)?\b"),
        ("hundred-percent", "hype", r"\b100 ?(?:percent|per cent|%)(?! effective)"),
        ("breakthrough", "hype", r"\bbreakthroughs?\b"),
        ("miracle", "hype", r"\bmiracles?\b|\bmiraculous\w*|\bwonder drugs?\b|\bmagic bullets?\b"),
        ("cure", "hype", r"\bcur(?:e|es|ed)\b"),
        ("revolution", "hype", r"\brevolution(?:ary|i[sz]e\w*)?\b"),
        ("game-changer", "hype", r"\bgame[- ]chang\w+\b|\bholy grail\b"),
        ("spectacular", "hype", r"\b(?:spectacular|astonishing|stunning|unprecedented|"
         r"amazing|incredible)\b"),
    ],
)

#: Who the claim is about: mice before cells before humans (a study of human cells in
#: mice is a mouse study).
POPULATION_RULES = _rules(
    "population",
    [
        ("mice", "mice", r"\b(?:mice|mouse|murine|rodents?)\b"),
        ("animals", "animals", r"\b(?:rats?|dogs?|monkeys?|primates?|animals?)\b"),
        ("cells", "cells",
         r"\b(?:cell lines?|in vitro|petri dish\w*|cultured cells|in the lab(?:oratory)?|"
         r"cells? in culture)\b"),
        ("humans", "humans",
         r"\b(?:patients?|people|humans?|volunteers|participants|men|women|children|adults|"
         r"the public|population)\b"),
    ],
)

#: Words that may qualify a cancer noun ("certain cancers", "chronic lymphocytic leukemia").
_CANCER_MODIFIERS = (
    r"certain|some|many|most|all|other|several|advanced|advanced-stage|late-stage|early-stage|"
    r"stage|metastatic|recurrent|aggressive|deadly|rare|rarer|childhood|pediatric|paediatric|"
    r"adult|chronic|acute|lymphocytic|lymphoblastic|myeloid|myelogenous|B-cell|T-cell|"
    r"HER2-positive|HER2-overexpressing|triple-negative|inoperable|small-cell|non-small-cell|"
    r"solid|blood|bone|breast|lung|colon|colorectal|rectal|prostate|ovarian|pancreatic|brain|"
    r"skin|bladder|kidney|renal|liver|stomach|gastric|gastroesophageal|cervical|head|neck|"
    r"thyroid|esophageal|oesophageal|uterine|endometrial|cell|malignant|and|or|[A-Z][a-z]+|"
    r"[IV]+"
)
#: A cancer type: up to four qualifying words before a cancer noun.
INDICATION_PATTERN = re.compile(
    rf"\b((?:(?:{_CANCER_MODIFIERS}),? ){{0,4}}"
    r"(?:cancers?|leuka?emias?|lymphomas?|melanomas?|glioblastomas?|gliomas?|myelomas?|"
    r"carcinomas?|sarcomas?|neuroblastomas?|tumou?rs?|CLL|AML))\b"
)
_INDICATION_DROP = frozenset({"and", "or", "the", "a", "an", "in", "of", "some", "many", "most",
                              "all", "other", "several", "deadly", "aggressive", "but",
                              "for", "with", "to", "on", "by", "from", "as", "at"})
_INDICATION_BARE = frozenset({"cancer", "cancers", "tumor", "tumors", "tumour", "tumours",
                              "stage", "cell"})


def classify_claim_type(text: str) -> TypeMatch | None:
    """Return the first claim-type rule matching ``text``, or ``None``."""
    lowered = Lowered(text)
    for rule in CLAIM_TYPE_RULES:
        if not could_match(rule.words, lowered):
            continue
        match = rule.pattern.search(text)
        if match is not None:
            return TypeMatch(rule.value, rule.id, match.group(0))
    return None


def find_markers(rules: tuple[Rule, ...], text: str, offset: int = 0) -> list[Marker]:
    """Return every marker of ``rules`` in ``text``, in text order, overlaps removed.

    :param offset: added to each marker's offsets (the text's start in its article).
    """
    found: list[Marker] = []
    lowered = Lowered(text)
    for rule in rules:
        if not could_match(rule.words, lowered):
            continue
        for match in rule.pattern.finditer(text):
            found.append(
                Marker(match.group(0), offset + match.start(), offset + match.end(), rule.id)
            )
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Marker] = []
    for marker in found:
        if kept and marker.start < kept[-1].end:
            continue
        kept.append(marker)
    return kept


def find_population(text: str) -> tuple[str, str] | None:
    """Return ``(population, rule id)`` for the first population rule matching ``text``."""
    lowered = Lowered(text)
    for rule in POPULATION_RULES:
        if could_match(rule.words, lowered) and rule.pattern.search(text):
            return rule.value, rule.id
    return None


def find_indication(text: str) -> str | None:
    """Return the cancer type ``text`` names ("certain cancers", "chronic lymphocytic leukemia")."""
    if not could_match(required_words(INDICATION_PATTERN), Lowered(text)):
        return None
    for match in INDICATION_PATTERN.finditer(text):
        words = match.group(1).split()
        while len(words) > 1 and words[0].lower().rstrip(",") in _INDICATION_DROP:
            words = words[1:]
        phrase = " ".join(words).rstrip(",")
        if phrase.lower() not in _INDICATION_BARE:
            return phrase
    return None


def skip_reason(text: str) -> str | None:
    """Return the id of the skip rule ``text`` falls under, or ``None``."""
    stripped = text.strip()
    lowered = Lowered(stripped)
    for rule in SKIP_RULES:
        if could_match(rule.words, lowered) and rule.pattern.search(stripped):
            return rule.id
    return None
