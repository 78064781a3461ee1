"""Who a sentence says makes a claim: "according to X", "X said", "reported by X".

An attribution is the words as written plus the parties they name. A party is an
institution or a person, told apart by its head word ("researchers", "media",
"University" make an institution; "Dr. Michael Kalos" a person). A party named only by
a bare common noun ("researchers said") is scoped to its article, so that two
articles' anonymous researchers do not become one node.

>>> [p.label for p in find_attributions("According to Russian researchers, it works.")[0].parties]
['Russian researchers']
>>> [(p.label, p.kind) for p in find_attributions("“It works,” said Dr. Michael Kalos, director of studies.")[0].parties]
[('Michael Kalos', 'person')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncoclaims.extract.names import PARTICLE, find_people, is_org_like

__all__ = [
    "SUBJECT_WINDOW",
    "Attribution",
    "Party",
    "find_attributions",
    "find_full_names",
    "find_pronoun_attribution",
    "parse_party",
    "resolve_surnames",
]

#: Head nouns of an institution-like party (a group speaking as one).
INSTITUTION_HEADS = frozenset(
    {
        "researchers", "scientists", "team", "teams", "doctors", "physicians", "experts",
        "officials", "government", "ministry", "media", "press", "company", "companies",
        "university", "institute", "agency", "authorities", "developers", "investigators",
        "specialists", "group", "administration", "fda", "nih", "nci", "center", "centre",
        "hospital", "clinic", "school", "college", "foundation", "society", "association",
        "journal", "news", "inc", "corp", "pharmaceuticals", "therapeutics", "laboratory",
        "lab", "health", "kremlin", "russia", "oncologists", "manufacturer", "maker",
        "spokesperson", "spokesman", "spokeswoman", "statement", "network", "patients",
    }
)
#: Heads that name no one in particular unless modified ("Russian researchers" is a
#: party of its own; "researchers" alone is scoped to the article).
GENERIC_HEADS = frozenset(
    {"researchers", "scientists", "team", "doctors", "physicians", "experts", "officials",
     "investigators", "specialists", "authors", "oncologists", "study authors", "patients"}
)
_ORG_WORDS = frozenset(
    {"university", "institute", "center", "centre", "hospital", "agency", "administration",
     "ministry", "government", "press", "media", "news", "inc", "corp", "company",
     "pharmaceuticals", "therapeutics", "foundation", "society", "association", "school",
     "college", "clinic", "journal", "laboratory", "health", "medicine", "network", "group"}
)
# One word of a person's name, hyphenated given names included ("Pei-Yong").
# A second capital is allowed once ("McCarthy", "DeVita"); a particle may stand before a surname
# ("van der Berg", "de Souza").
_NAME_WORD = rf"(?:{PARTICLE})?[A-Z][a-z'’]+(?:[A-Z][a-z]+)?(?:-[A-Z]?[a-z'’]+)*"
_PARTICLES = frozenset(PARTICLE.split("(?:")[2].split(")")[0].split("|"))
_TITLES = re.compile(r"^(?:Dr|Prof|Professor|Mr|Mrs|Ms|Sir|Dame)\.?\s+")
_DETERMINERS = re.compile(r"^(?:the|a|an|its|their|his|her|some|several|other|many)\s+", re.I)
_SPEECH = (r"said|says|say|reported|reports|announced|announces|claimed|claims|stated|states|"
           r"told|tells|noted|notes|explained|explains|added|cautioned|cautions|warned|wrote|"
           r"concluded|believes|surmised|contends|argued|argues|continued|continues|expects|"
           r"highlighting|emphasizing|emphasising|touting|promising(?= (?:that|to)\b)|stressed|"
           r"stress|stresses|insist|insists|insisted|adds|writes|agreed|agrees|commented|comments|"
           r"remarked|recalled|replied|acknowledged|acknowledges|admitted|admits|conceded|concedes|"
           r"emphasized|emphasised|emphasizes|emphasises|pointed out|points out|predicted|predicts")
# After a quotation, "told X" / "tells X" names the listener ("…, told Newsweek"), not the speaker.
_SPEECH_NOT_TOLD = _SPEECH.replace("told|tells|", "")
# Lowercase role words allowed between the verb and the name ("said virologist Dr. Cheng-Feng Qin").
_ROLE_WORDS = (r"(?:(?!(?:in|on|at|to|for|with|that|this|the|it|he|she|they|we|last|next|"
               r"today|yesterday|earlier|later)\b)[a-z][a-z-]+ ){0,3}")
_AUX = r"(?:(?:is|are|was|were|has|have|had|also|now|further) )*"

_ACCORDING = re.compile(
    r"\baccording to (?P<np>(?:\b(?:Dr|Prof|Mr|Mrs|Ms)\.|[^,.;:“”\"()])+)", re.IGNORECASE
)
_BY = re.compile(
    r"\b(?:reported|announced|claimed|stated|published|released) by (?P<np>[^,.;:“”\"()]+)",
    re.IGNORECASE,
)
_COMES_FROM = re.compile(
    r"\b(?:mainly |largely |mostly |chiefly )?comes? from (?P<np>[^,.;:“”\"()]+)", re.IGNORECASE
)
_AFTER_QUOTE = re.compile(
    rf"[,”\"]\s*(?:{_SPEECH_NOT_TOLD}) (?:{_ROLE_WORDS}(?=(?:Dr\.? |Prof\.? )?[A-Z]))?"
    r"(?P<np>(?:Dr\.? |Prof\.? )?[A-Z][\w'’.-]*(?: (?:of |for |and |de )?[A-Z][\w'’.-]*){0,5}"
    r"|the [a-z]+(?: [a-z]+)?|the [A-Z][\w'’.-]*(?: (?:of |for |and |on )?[A-Z][\w'’.-]*){0,5})"
)
_HAS_SPEECH = re.compile(rf"\b(?:{_SPEECH})\b")
# The subject starts at a word's start (so a long word is not re-read from each of its letters).
# An acronym in parentheses may stand between the subject and its verb: "the European Medicines
# Agency (EMA) said".
_SUBJECT = re.compile(
    rf"(?<![\w'’.-])(?P<np>[\w'’.-]+(?: [\w'’.-]+){{0,5}})(?: \([A-Z]{{2,8}}\))? {_AUX}(?:{_SPEECH})\b"
)
# "doctors and patients said", "Jane Roe and Max Poe said"
_PAIR_BEFORE = re.compile(
    r"(?:[,;:]\s*|\s)(?P<first>[a-z][\w'’-]*|(?:(?:Dr|Prof)\.? )?[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){1,2}) and $"
)
_LEAD_NAME = re.compile(rf"^(?:Dr\.? |Prof\.? )?(?P<name>{_NAME_WORD}(?: [A-Z]\.)?(?: {_NAME_WORD}){{1,2}}),")
_QUOTE_MARK = re.compile(r"[“”\"]")
_TRAILING_AUX = re.compile(r"(?:\s+(?:is|are|was|were|has|have|had|also|now|further))+$", re.I)
# Lowercase role words before a title or a name: "researcher Dr. Diane Hale", "oncologist Jane Roe".
_ROLE_LEAD = re.compile(r"^(?P<roles>(?:[a-z][a-z-]+ ){1,3})(?=(?:(?:Dr|Prof|Professor)\.? )?[A-Z][a-z])")
# A statement or release speaks for whoever issued it: "a statement from Amgen".
_ISSUED = re.compile(
    r"^(?:(?:a|an|the|its|their|joint|written|emailed|prepared) )*(?:statements?|(?:news |press )?releases?|"
    r"announcements?) (?:from|by|issued by|of) (?:the )?",
    re.I,
)
# A person named with the place they work: "Jane Roe of the Mayo Clinic" is Jane Roe.
_PERSON_OF = re.compile(
    rf"^(?:(?:Dr|Prof|Professor)\.? )?(?P<name>{_NAME_WORD}(?: [A-Z]\.)?(?: {_NAME_WORD}){{1,2}}) "
    r"(?:of|at|from|with) (?:the )?[A-Z]"
)
# A name after a lowercase role word ends the phrase: "Acme University oncologist Jane Roe" is
# Jane Roe, "study leader Jane Roe" too.
_ROLE_THEN_NAME = re.compile(
    rf"(?:^|\s)(?P<role>[a-z][a-z-]+) (?:(?:Dr|Prof|Professor)\.? )?"
    rf"(?P<name>{_NAME_WORD}(?: [A-Z]\.)?(?: {_NAME_WORD}){{1,2}})$"
)
_NOT_ROLES = INSTITUTION_HEADS | {"of", "at", "from", "with", "for", "and", "by", "in", "on", "to", "the"}
_BOUNDARY = re.compile(r".*(?:[,;:“”\"]|\bthat\b|\band\b|\bbut\b)\s*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Party:
    """A party named in an article: label, ``institution`` or ``person``, and scope.

    ``scope`` is ``None`` for a party whose name identifies it, else the article key
    its IRI is minted under.
    """

    label: str
    kind: str
    scoped: bool = False


@dataclass(frozen=True, slots=True)
class Attribution:
    """Words that attribute a claim, their offsets, the parties named and the rule."""

    text: str
    start: int
    end: int
    parties: tuple[Party, ...]
    rule: str


def _clean(phrase: str) -> str:
    phrase = phrase.strip().strip("“”\"'’‘ ")
    # A name closing the sentence keeps no full stop ("…, says Man."); an initial keeps it.
    if re.search(r"[A-Za-z]{2}\.$", phrase):
        phrase = phrase[:-1]
    phrase = re.split(r"\s+(?:who|which|that|in|on|at|to|for|as|of)\s+(?=[a-z])", phrase)[0]
    phrase = _TRAILING_AUX.sub("", phrase)
    phrase = _ISSUED.sub("", phrase)
    while True:
        shorter = _DETERMINERS.sub("", phrase)
        if shorter == phrase:
            break
        phrase = shorter
    roles = _ROLE_LEAD.match(phrase)
    if roles is not None and not any(
        w in INSTITUTION_HEADS or w in {"of", "at", "from", "with", "for", "and", "by"}
        for w in roles["roles"].split()
    ):
        phrase = phrase[roles.end("roles"):]
    person = _PERSON_OF.match(phrase) or _ROLE_THEN_NAME.search(phrase)
    if person is not None and not is_org_like(person["name"]) and (
        "role" not in person.groupdict() or person["role"] not in _NOT_ROLES
    ):
        return person["name"]
    words = phrase.split()
    # Cut after the last of the first run of head words: "Russian press sound spectacular".
    for index, word in enumerate(words):
        if word.lower().strip(".'’") in INSTITUTION_HEADS:
            end = index + 1
            while end < len(words):
                word = words[end]
                if word.lower().strip(".'’") in INSTITUTION_HEADS or word[:1].isupper():
                    end += 1
                elif word == "of" and end + 1 < len(words) and words[end + 1][:1].isupper():
                    end += 2
                else:
                    break
            return " ".join(words[:end])
    if words and words[0][:1].isupper():
        kept = [words[0]]
        for word in words[1:]:
            if not (word[:1].isupper() or word == "of" or word in _PARTICLES):
                break
            kept.append(word)
        while kept and (kept[-1] == "of" or kept[-1] in _PARTICLES):
            kept.pop()
        return " ".join(kept)
    return phrase.strip()


def parse_party(phrase: str) -> Party | None:
    """Return the party ``phrase`` names, or ``None`` when it names none.

    :param phrase: a noun phrase such as "the Russian press" or "Dr. Michael Kalos".
    """
    cleaned = _clean(phrase)
    if not cleaned or len(cleaned.split()) > 6:
        return None
    words = cleaned.split()
    head = words[-1].lower().strip(".'’")
    if head in INSTITUTION_HEADS or any(w.lower().strip(".") in _ORG_WORDS for w in words):
        label = cleaned[0].upper() + cleaned[1:]
        scoped = cleaned.lower() in GENERIC_HEADS
        return Party(label, "institution", scoped)
    name = _TITLES.sub("", cleaned)
    if re.fullmatch(r"[A-Z]{2,6}", name):
        return Party(name, "institution")
    if re.fullmatch(rf"{_NAME_WORD}(?: [A-Z]\.?)?(?: {_NAME_WORD}){{0,2}}", name) and not name[:1].islower():
        return Party(name, "person", scoped=" " not in name)
    return None


def _parties(phrase: str) -> tuple[Party, ...]:
    found = []
    for piece in re.split(r"\s+and\s+|\s*,\s*", phrase):
        party = parse_party(piece)
        if party is not None and party not in found:
            found.append(party)
    return tuple(found)


#: How far before its verb a subject is looked for: a bounded window keeps attribution
#: linear in the sentence's length (no party is named in more words than this).
SUBJECT_WINDOW = 200


def _subject_before(sentence: str, end: int) -> str:
    start = max(0, end - SUBJECT_WINDOW)
    before = sentence[start:end]
    boundary = _BOUNDARY.match(before)
    if boundary is not None:
        before = before[boundary.end():]
    elif start > 0:
        before = before.split(" ", 1)[-1]  # the window's first word may be cut
    return before


def find_attributions(sentence: str, offset: int = 0) -> list[Attribution]:
    """Return the attributions in ``sentence`` that name at least one party.

    :param offset: added to each attribution's offsets (the sentence's start in its article).
    """
    found: list[Attribution] = []

    def add(start: int, end: int, phrase: str, rule: str, cut_at_party: bool = True) -> None:
        parties = _parties(phrase)
        if parties and cut_at_party:
            # End the words at the last party named, not at the end of the phrase.
            tail = _clean(re.split(r"\s+and\s+|\s*,\s*", phrase)[-1]) or parties[-1].label
            cut = sentence.lower().rfind(tail.lower(), start, end)
            if cut != -1:
                end = cut + len(tail)
        if parties:
            text = sentence[start:end].rstrip()
            found.append(Attribution(text, offset + start, offset + start + len(text), parties, rule))

    for pattern, rule in ((_ACCORDING, "attribution:according-to"), (_BY, "attribution:reported-by"),
                          (_COMES_FROM, "attribution:comes-from")):
        for match in pattern.finditer(sentence):
            add(match.start(), match.end(), match["np"], rule)
    if _HAS_SPEECH.search(sentence) is None:
        # Both patterns below need a speech verb: skip them (the same result, a fraction of the time).
        found.sort(key=lambda a: a.start)
        return found
    for match in _AFTER_QUOTE.finditer(sentence):
        lead = len(match.group(0)) - len(match.group(0).lstrip(",”\" "))
        add(match.start() + lead, match.end(), match["np"], "attribution:quote-said")
    for match in _SUBJECT.finditer(sentence):
        subject = _subject_before(sentence, match.start("np") + len(match["np"]))
        if not subject.strip():
            continue
        start = match.start("np") + len(match["np"]) - len(subject)
        # Two groups joined by "and": "…, doctors and patients said."
        base = max(0, start - 40)  # a bounded window keeps this linear in the sentence
        pair = _PAIR_BEFORE.search((" " if base == 0 else "") + sentence[base:start])
        if pair is not None and parse_party(pair["first"]) is not None:
            start = base + pair.start("first") - (1 if base == 0 else 0)
            subject = sentence[start:match.start("np") + len(match["np"])]
        if any(a.start - offset <= start < a.end - offset for a in found):
            continue
        add(start, match.end(), subject, "attribution:subject-said", cut_at_party=False)
    lead = _LEAD_NAME.match(sentence)
    if lead is not None and not found:
        # "Cornelius Melief, from the Leiden University Medical Center, said …": the speaker is
        # the name the sentence opens with, when the verb comes before any quotation.
        verb = _HAS_SPEECH.search(sentence, lead.end())
        quote = _QUOTE_MARK.search(sentence)
        if verb is not None and (quote is None or verb.start() < quote.start()):
            add(lead.start("name"), lead.end("name"), lead["name"], "attribution:appositive-said")
    found.sort(key=lambda a: a.start)
    return found


_FULL_NAME = re.compile(
    rf"(?:\b(?:Dr|Prof)\.? (?P<titled>{_NAME_WORD}(?: [A-Z]\.)?(?: {_NAME_WORD}){{1,2}})"
    rf"|\b(?P<named>{_NAME_WORD}(?: [A-Z]\.)? {_NAME_WORD}), (?:MD|PhD|M\.D\.|a |an |the |"
    r"(?i:director|professor|chief|head|senior|lead|principal)))"
)
_PRONOUN_SAID = re.compile(rf"(?:^|[,”\"]\s*)(?P<pronoun>he|she) {_AUX}(?:{_SPEECH})\b", re.IGNORECASE)


def find_full_names(text: str) -> dict[str, str]:
    """Return surname -> full name of the people ``text`` names in full.

    People introduced as "Dr. Jane Doe" or "Jane Doe, MD" come first; then every other
    full name (:func:`oncoclaims.extract.names.find_people`), the first mention of a surname winning.
    """
    names: dict[str, str] = {}
    for match in _FULL_NAME.finditer(text):
        name = match["titled"] or match["named"]
        names.setdefault(name.split()[-1], name)
    # Then any other full name, first mention first ("virologist Cheng-Feng Qin of …").
    for mention in find_people(text):
        names.setdefault(mention.name.split()[-1], mention.name)
    return names


def find_pronoun_attribution(sentence: str, offset: int, person: Party | None) -> Attribution | None:
    """Return "he said" / "she cautioned" attributed to ``person``, the last person named."""
    match = _PRONOUN_SAID.search(sentence)
    if match is None or person is None:
        return None
    start = match.start("pronoun")
    return Attribution(sentence[start:match.end()], offset + start, offset + match.end(),
                       (person,), "attribution:pronoun-said")


def resolve_surnames(parties: tuple[Party, ...], full_names: dict[str, str]) -> tuple[Party, ...]:
    """Replace a bare surname ("Kalos") by the full name seen earlier ("Michael Kalos").

    :param full_names: surname -> full name, of the persons named so far in the article.
    """
    resolved = []
    for party in parties:
        if party.kind == "person" and " " not in party.label and party.label in full_names:
            party = Party(full_names[party.label], "person")
        elif party.kind == "person" and " " in party.label and party.label.split()[-1] in full_names:
            # "Michael Kalos" and "Dr. Michael Kalos" are one person; keep the fuller name.
            fuller = full_names[party.label.split()[-1]]
            if fuller.endswith(party.label) or party.label.split()[0] == fuller.split()[0]:
                party = Party(fuller, "person")
        resolved.append(party)
    return tuple(resolved)
