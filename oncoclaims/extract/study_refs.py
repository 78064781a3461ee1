"""What a story says about the study it reports: venue, date words, people, institutions,
funders and suppliers, identifiers and design words.

Pure logic, one sentence at a time. Every rule has an id (``study:*``) recorded with the
reference. The story's *main* study gathers what the story says about "the study"; a
sentence that introduces another one ("In the other study, by Ugur Sahin...", "Preclinical
studies, which were previously published in...") starts a study reference of its own.
Sentences about studies still to come ("Phase 3 studies are needed") give no design.

>>> refs = find_study_references("The results were published Tuesday in the journal Nature. "
...     "The phase 2 trial, led by Dr. Jane Roe, was funded by the Acme Foundation.")
>>> [(r.venues, r.people, r.funders, r.design) for r in refs]
[(('Nature',), ('Jane Roe',), ('Acme Foundation',), 'phase-2')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oncoclaims.extract.names import (
    NAME,
    ORG,
    ORG_SHORT,
    NameIndex,
    find_people,
    is_org_like,
    organisation_at,
    same_org,
    same_person,
    split_org_list,
)
from oncoclaims.extract.rules import INDICATION_PATTERN
from oncoclaims.extract.screen import Lowered, may_match
from oncoclaims.extract.sentences import Segment, split_sentences

__all__ = ["DESIGN_ORDER", "DEVELOPER_CUE", "StudyReference", "appositive", "find_study_references"]

#: Designs from strongest to weakest; a study's design is the strongest its words name.
DESIGN_ORDER = (
    "systematic-review",
    "meta-analysis",
    "randomised-controlled",
    "phase-3",
    "phase-4",
    "non-randomised-controlled",
    "phase-2",
    "phase-1",
    "early-human-trial",
    "observational",
    "case-report",
    "animal",
    "in-vitro",
)

_PHASES = {"i": "1", "1": "1", "ii": "2", "2": "2", "iii": "3", "3": "3", "iv": "4", "4": "4"}
_DESIGN_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("systematic-review", re.compile(r"\bsystematic review\b", re.I)),
    ("meta-analysis", re.compile(r"\bmeta-?analys[ie]s\b", re.I)),
    (
        "randomised-controlled",
        re.compile(r"\brandomi[sz]ed\b|\brandomly (?:assigned|allocated)\b", re.I),
    ),
    (
        "non-randomised-controlled",
        re.compile(
            r"(?<!no )(?<!without )(?<!without a )\bplacebo\b|(?<!no )\bcontrol (?:group|arm|therapy|patients)\b|[“\"]control[”\"] group|"
            r"\bcompared (?:with|to) [^.;]{0,60}\b(?:those|patients|participants|people) (?:who (?:received|got|"
            r"were given|took)|taking|given)\b",
            re.I,
        ),
    ),
    ("phase", re.compile(r"\bphase[ -](?P<phase>iv|iii|ii|i|[1-4])\b(?![-/])", re.I)),
    (
        "early-human-trial",
        re.compile(
            r"\bpilot (?:study|trial)\b|\bfirst[- ]in[- ]humans?\b|\bearly[- ]stage (?:trial|study)\b|"
            r"\bdose[- ]escalation\b|\b(?:study|trial) (?:of|in|involved|enrolled) (?:\d[\d,]*|[a-z]+-?[a-z]*) "
            r"(?:[a-z-]+ ){0,4}(?:patients|participants|people|adults|children|women|men|survivors|volunteers)\b|"
            r"\btreated \d[\d,]* patients\b|\b(?:very )?early (?:human |clinical )?trials?\b|"
            r"\binvolving (?:fewer than |more than |about |nearly |some |only )?(?:\d[\d,]*|[a-z]+) "
            r"(?:volunteers|patients|participants|people)\b",
            re.I,
        ),
    ),
    ("case-report", re.compile(r"\bcase (?:report|study)\b|\bmiracle patient\b", re.I)),
    (
        "animal",
        re.compile(
            r"\b(?:in|into|of) (?:the )?(?:brains of )?(?:mice|rats|rodents|dogs|monkeys|"
            r"animals)\b|\bmouse model\b|\bstudy in mice\b",
            re.I,
        ),
    ),
    (
        "in-vitro",
        re.compile(r"\bin vitro\b|\bcell lines?\b|\blab(?:oratory)? dish\b|\btest tube\b", re.I),
    ),
)
#: A sentence about a study still to come, or one that is needed: its design words are not the study's.
_FUTURE = re.compile(
    r"\b(?:needed|required|will be|would be|plan(?:s|ned|ning)? to|planning|next step|"
    r"before moving|head(?:ing)? into|moving into|future|(?-i:hoping|hopes?))\b",  # not "City of Hope"
    re.I,
)
_OTHER_STUDY = re.compile(
    r"\b(?:[Ii]n )?(?:the |a |an )?(?:first|second|other|another|previous|earlier|prior|separate|"
    r"subsequent|one small) (?:laboratory |clinical |lab )?(?:study|trial|studies)\b|"
    r"\b[Pp]reclinical studies\b|\bpreviously published\b|\bIn previous work\b|"
    r"\bin a (?:19|20)\d\d (?:clinical )?(?:trial|study)\b"
)
_VENUE_JOURNAL = re.compile(rf"\bjournals? (?P<v>{ORG})")
_VENUE_PUBLISHED = re.compile(
    r"\b(?:published|publish|reported|appears?|appeared|described|report)\b[^.;“”\"]{0,60}?\b(?:in|by) "
    rf"(?:the )?(?:(?:online|open-access|medical|scientific) )*(?P<v>{ORG})"
)
_VENUE_PRESENTED = re.compile(
    r"\b(?:present(?:ed|ing|s|ation)?|unveiled|announced|reported)\b[^.;“”\"]{0,80}?\bat (?:the )?"
    r"(?P<v>[^,.;:()“”\"]+)"
)
_CONFERENCE = re.compile(
    r"\b(?:conference|meeting|congress|symposium|summit|forum|workshop|colloquium)\b", re.I
)
_DATE_WORDS = re.compile(
    r"\b(?:(?:this|last) (?:week|month)|(?:on )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday)|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:\s*-\s*"
    r"(?:[A-Z][a-z]+\.? )?\d{1,2})?(?:, \d{4})?)\b"
)
_IDENTIFIERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("nct", re.compile(r"\bNCT\d{8}\b")),
    ("isrctn", re.compile(r"\bISRCTN\d{8}\b")),
    ("eudract", re.compile(r"\b(?:EudraCT(?: [Nn]umber| [Nn]o\.?)?:? ?)(\d{4}-\d{6}-\d{2})\b")),
    (
        "doi",
        re.compile(
            r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/[^\s\"“”<>]+[^\s\"“”<>.,;)])",
            re.I,
        ),
    ),
    ("pmid", re.compile(r"\bPMID:? ?(\d{5,9})\b")),
    ("arxiv", re.compile(r"\barXiv:? ?(\d{4}\.\d{4,5}(?:v\d+)?)\b", re.I)),
    ("acronym", re.compile(r"\b((?:[A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z]{4,})-\d{2,4})\b")),
)
_NOT_ACRONYMS = frozenset({"COVID", "SARS", "HER", "MERS"})
_PEOPLE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "study:led-by",
        re.compile(
            rf"\b(?:(?:co-)?led|headed|directed|overseen|coordinated|(?:co-)?authored|written|conducted) by "
            rf"(?:(?:Dr|Prof)\.? )?(?P<names>{NAME}(?:,? (?:and )?(?:(?:Dr|Prof)\.? )?{NAME})*)"
        ),
    ),
    (
        # "The study's other authors include Jane Roe and Max Poe", "Co-authors are ..."
        "study:authors-include",
        re.compile(
            r"\b(?i:co-?authors?|authors?|investigators|researchers)(?: (?:of|on) the (?:study|paper|report|trial))? "
            rf"(?:include|included|are|were) (?:(?:Dr|Prof)\.? )?(?P<names>{NAME}(?:,? (?:and )?"
            rf"(?:(?:Dr|Prof)\.? )?{NAME})*)"
        ),
    ),
    (
        "study:and-colleagues",
        re.compile(
            # Each name read one way only (atomic), at most six: a run of names with no "and
            # colleagues" after it is not tried in every way of splitting it (was exponential).
            rf"(?P<names>(?>(?:(?:Dr|Prof)\.? )?(?:{NAME}|[A-Z][a-z]+)(?:, (?:MD|M\.D\.|PhD|Ph\.D\.))*,? )"
            r"{1,6})"
            r"and (?:his |her |their )?(?:colleagues|co-workers|team)\b"
        ),
    ),
    (
        "study:researcher-name",
        re.compile(
            rf"\bresearchers? (?:(?:Dr|Prof)\.? )?(?P<names>{NAME}(?:(?:, (?:MD|M\.D\.|PhD|Ph\.D\.))*,? "
            rf"(?:and )?(?:(?:Dr|Prof)\.? )?{NAME})*)"
        ),
    ),
    ("study:the-name-study", re.compile(r"\bthe (?P<names>[A-Z][a-z]+) (?:study|trial)\b")),
    (
        # "senior author Jane Roe", "the study's lead author, Dr. Jane Roe", "co-author Max Poe"
        "study:author-title",
        re.compile(
            r"\b(?i:(?:(?:the )?(?:study|trial|paper|report)(?:[’']s)? )?(?:(?:lead|senior|first|last|"
            r"corresponding|principal|chief|co-?)[- ]?)(?:authors?|investigators?|researchers?)|"
            r"(?:the )?(?:study|trial|paper|report)(?:[’']s)? (?:authors?|investigators?))"
            r"(?: (?:of|on) the (?:study|trial|paper|research))?,? (?:(?:Dr|Prof|Professor)\.? )?"
            rf"(?P<names>{NAME}(?:,? (?:and )?(?:(?:Dr|Prof)\.? )?{NAME})*)"
        ),
    ),
    (
        # "Fry's team", "the Wu lab"
        "study:name-team",
        re.compile(
            rf"(?P<names>{NAME}|\b[A-Z][a-z]+)[’']s (?:research )?(?:team|lab|laboratory|group)\b|"
            r"\bthe (?P<lab>[A-Z][a-z]+) (?:lab|laboratory)\b"
        ),
    ),
    (
        # "a study by Jane Roe", "the paper, by Max Poe and Ann Lee,"
        "study:study-by",
        re.compile(
            r"\b(?:study|trial|paper|research|work|report|findings|analysis),? (?:by|from) "
            rf"(?:(?:Dr|Prof)\.? )?(?P<names>{NAME}(?:,? (?:and )?(?:(?:Dr|Prof)\.? )?{NAME})*)"
        ),
    ),
)
#: Words naming someone as the study's author or leader; the person is the nearest named before them.
_AUTHOR_CUE = re.compile(
    r"\b(?:(?:lead|senior|first|co-)?authors? (?:of|on) (?:the|this|a) (?:new |latest |recent |published |"
    r"current )?(?:study|paper|research|report|trial|analysis|findings)|"
    r"(?:an |the |a )?(?:principal |lead |chief )?investigators? (?:on|of|in) (?:the|this) (?:study|trial)|"
    r"head of the (?:trial|study)|(?:a |the )?lead researchers? on|co-led the|led the (?:study|trial|research)|"
    r"leads? the (?:study|trial)|who (?:helped )?(?:conduct|run|lead|ran|led|conducted|design|designed)(?:s|ed)? "
    r"the (?:study|trial|research)|helped conduct|worked on the study|who is running|(?<!not )involved in running|"
    r"(?:ran|runs|running) (?:an?|the|this) [\w -]{0,30}(?:trial|study)|is the principal investigator|"
    r"(?:lead|senior|first|last|corresponding|co-)[- ]?author\b|(?:the )?(?:study|trial|paper)[’']s "
    r"(?:lead |senior |first |principal )?(?:author|investigator|leader)|"
    r"co-?authored (?:the|a|this) (?:study|paper|report|research)|"
    r"(?:oversaw|oversees|directs|directed|heads|headed|coordinated|coordinates) the (?:study|trial|research)|"
    r"(?:leads|led) the (?:team|group) (?:that|which|behind)|"
    r"(?:is|are|was|were|has been) (?:leading|running|conducting|heading|directing|overseeing|coordinating) "
    r"(?:the|this|a|an) [\w -]{0,30}(?:trial|study|research)|"
    r"whose (?:team|lab|laboratory|group) (?:led|ran|conducted|carried out|performed|did) (?:the|this) "
    r"(?:study|trial|research|work)|"
    r"one of the (?:lead |senior |principal )?(?:researchers|investigators|authors|scientists|doctors) "
    r"(?:on|of|behind|in) the (?:study|trial|research)|"
    r"(?:researcher|investigator|physician|oncologist|scientist)s? (?:on|in) (?:the|this) (?:trial|study)\b|"
    r"helped (?:lead|run|design|conduct) the (?:study|trial|research))",
    re.I,
)
#: Words naming someone as the therapy's developer.
DEVELOPER_CUE = re.compile(
    r"\b(?:helping develop|helped develop|developed the|develops the|created|invented|who developed|"
    r"co-developed|designed the (?:vaccine|drug|virus|therapy|treatment)|pioneered|inventor of|"
    r"co-inventor|whose (?:lab|team|group|laboratory) (?:developed|created|designed|invented)|"
    r"whose (?:company|firm|start-?up)\b)\b",
    re.I,
)
_PRONOUN = re.compile(r"^(?:He|She)\b")
_FUNDED = re.compile(
    r"\b(?:study|trial|research|work|studies|project|it)\b.{0,60}?\b(?:was|were|is|are|has been|have been)? ?"
    r"(?:(?:supported|funded|financed|sponsored|paid for|backed) by|funding from|grants? from)"
    r"(?: (?:a |an )?(?:grants?|intramural funds|funds|funding|money))?(?: from)? (?:the )?"
    rf"(?P<org>{ORG})(?P<more>(?:,? (?:and )?(?:the )?{ORG})*)"
)
_FUNDED_AFTER = re.compile(
    rf"\b(?:with|through) (?:funding|support|a grant|grants) from (?:the )?(?P<org>{ORG})"
)
#: An organisation as the subject: "The National Cancer Institute (NCI) funded the study."
_FUNDS = re.compile(
    rf"(?:^|[^\w’'])(?P<org>{ORG_SHORT})(?: \([A-Z]{{2,8}}\))?,?(?: which [^,.;]{{0,60}},)? (?:also )?"
    r"(?:funded|financed|sponsored|supported|paid for|bankrolled) (?:the|this|their|a) (?:[\w-]+ ){0,2}"
    r"(?:study|trial|research|work|project)\b"
)
_SUPPLIED = re.compile(
    rf"\b(?:the )?(?P<org>{ORG}),?(?: which| who)? (?:provided|supplied|donated|"
    r"makes|manufactures) the (?:drug|vaccine|treatment|virus|cells|medicine|therapy)\b"
)
#: How many took part, in digits: "a study of 436 patients", "436 patients were enrolled".
_SIZE = re.compile(
    r"\b(?:study|trial|analysis|studies|trials) (?:of|in|involving|with|that (?:enrolled|included)|enrolled|"
    r"included) (?:about |nearly |more than |some |almost )?(?P<n>\d[\d,]*) (?:[a-z-]+ ){0,3}?"
    r"(?:patients|participants|people|adults|children|women|men|volunteers|subjects)\b|"
    r"\b(?P<m>\d[\d,]*) (?:patients|participants|volunteers|people) (?:were |have been )?(?:enrolled|randomi[sz]ed|"
    r"took part|participated)\b"
)
_TEAM_AT = re.compile(
    rf"\b(?:[Rr]esearchers|[Ss]cientists|[Tt]eams?|[Ii]nvestigators|[Gg]roups?|[Cc]olleagues|[Dd]octors|"
    rf"[Pp]hysicians|[Oo]ncologists|[Ss]urgeons) (?:at|from|with) (?:the )?(?P<org>{ORG})|"
    # "the trial, conducted at X", "studies underway at X and Y"
    rf"\b(?:trials?|study|studies|research|work),?(?: (?:was|is|were|are|being))? (?:conducted |run |carried out |"
    rf"done |performed |underway |taking place |led )?at (?:the )?(?P<place>{ORG})|"
    # "a collaboration between Acme University and Beta Hospital"
    rf"\b(?:collaboration|partnership|joint (?:effort|project|study)) (?:between|of|among|with) (?:the )?"
    rf"(?P<collab>{ORG})|"
    # "the study was conducted by the Mayo Clinic" (an organisation, not a person: checked after)
    rf"\b(?:trials?|study|studies|research|work),?(?: (?:was|is|were|are|being|has been))? (?:conducted|run|"
    rf"carried out|done|performed|led) by (?:the )?(?P<by>{ORG})"
)
_TESTING = re.compile(r"testing|conducting|running|leading|carrying out|sponsoring")
#: An institution as the subject of a trial: "City of Hope is testing the vaccine in a trial".
_ORG_TESTS = re.compile(
    rf"(?:^|[^\w’'])(?:the )?(?P<org>{ORG_SHORT})(?:[’']s)? (?:is|was|are|were|has been|have been) (?:now )?"
    r"(?:testing|conducting|running|leading|carrying out|sponsoring)\b[^.;]{0,60}?\b(?:trials?|study|studies)\b"
)
#: The institutions listed after the first: "researchers at A, B and the C".
_MORE_ORGS = re.compile(rf"(?: \([A-Z]{{2,8}}\))?(?:,? and |, )(?:the )?(?P<org>{ORG})")
_ORG_TEAM = re.compile(
    rf"(?:^|[^\w’'])(?P<org>{ORG_SHORT})(?: \([A-Z]{{2,8}}\))?(?:[’']s)? (?:researchers|scientists|team|investigators|"
    r"group)\b"
)
_TITLE_FIRST = re.compile(r"(?:Dr|Prof|Professor|Mr|Mrs|Ms)\.? ")
_NATIONALITY = re.compile(
    r"^(?:[A-Z]\.)+$|^[A-Z][a-z]+(?:an|ese|ish|ch|ern)$|^(?:The|Some|Other|Many|Both|Two|A|An)$"
)


@dataclass(slots=True)
class StudyReference:
    """What a story says about one study, with the spans it was read from and the rules used."""

    venues: tuple[str, ...] = ()
    date: str | None = None
    people: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()
    funders: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    design: str | None = None
    conditions: tuple[str, ...] = ()
    size: int | None = None
    spans: tuple[tuple[int, int], ...] = ()
    rules: tuple[str, ...] = ()
    main: bool = True
    _designs: list[str] = field(default_factory=list, repr=False)
    _spans: list[tuple[int, int]] = field(default_factory=list, repr=False)

    def is_empty(self) -> bool:
        """Whether nothing at all was read about the study."""
        return not (
            self.venues
            or self.people
            or self.institutions
            or self.funders
            or self.identifiers
            or self.design
        )


def _add(values: tuple[str, ...], value: str, same=same_org) -> tuple[str, ...]:
    value = value.strip(" ,.’'®")
    if not value or any(same(value, v) for v in values):
        return values
    return values + (value,)


def _note(ref: StudyReference, sentence: Segment, rule: str) -> None:
    span = (sentence.start, sentence.end)
    if (
        not ref._spans or ref._spans[-1] != span
    ):  # sentences come in order: a repeat is the last one
        ref._spans.append(span)
    if rule not in ref.rules:
        ref.rules = ref.rules + (rule,)


def _venues(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for match in _VENUE_JOURNAL.finditer(text):
        found.append((match["v"], "study:venue-journal"))
    for match in _VENUE_PUBLISHED.finditer(text):
        if text[match.end("v") :].startswith(" journal") or (
            find_people(match["v"]) and not is_org_like(match["v"])
        ):
            continue
        found.append((match["v"], "study:venue-published"))
    for match in _VENUE_PRESENTED.finditer(text):
        venue = re.split(r" (?:in|held) (?=[A-Z]|\d)| held\b", match["v"])[0].strip()
        if _CONFERENCE.search(venue) and re.search(r"[A-Z]", venue):
            found.append((venue, "study:venue-conference"))
    venues: list[tuple[str, str]] = []
    for venue, rule in found:
        for part in (
            re.split(r" and (?=[A-Z])", venue) if rule != "study:venue-conference" else [venue]
        ):
            part = part.strip(" ,.’'®")
            if part and not _NATIONALITY.match(part):
                venues.append((part, rule))
    return venues


def _identifiers(text: str) -> list[str]:
    found = []
    screen = Lowered(text)
    for kind, pattern in _IDENTIFIERS:
        for match in pattern.finditer(text) if may_match(pattern, screen) else ():
            value = match.group(1) if pattern.groups else match.group(0)
            if kind == "acronym" and value.split("-")[0] in _NOT_ACRONYMS:
                continue
            found.append(
                f"{kind}:{value}" if kind in {"doi", "pmid", "arxiv", "eudract"} else value
            )
    return found


def _designs(sentence: str) -> list[str]:
    screen = Lowered(sentence)
    if may_match(_FUTURE, screen) and _FUTURE.search(sentence):
        return []
    found = []
    for name, pattern in _DESIGN_RULES:
        for match in pattern.finditer(sentence) if may_match(pattern, screen) else ():
            if name == "phase":
                found.append("phase-" + _PHASES[match["phase"].lower()])
            else:
                found.append(name)
    return found


def _names_in(phrase: str, index: NameIndex) -> list[str]:
    people = [m.name for m in find_people(phrase)]
    if not people:
        people = [
            w for w in re.findall(r"\b[A-Z][a-z]+\b", phrase) if w not in {"Dr", "Prof", "The"}
        ]
    return [index.resolve(p) for p in people]


def _person_before(
    sentence: str, position: int, index: NameIndex, last_person: str | None
) -> str | None:
    before = sentence[:position]
    people = find_people(before)
    if people:
        return index.resolve(people[-1].name)
    if _PRONOUN.match(sentence.strip()) and last_person:
        return last_person
    words = re.findall(r"\b([A-Z][a-z]+)\b(?=[^A-Z]*$)", before)
    if words:
        resolved = index.resolve(words[-1])
        if " " in resolved:
            return resolved
    return None


#: Words without which a group of rules cannot match: a cheap test before the patterns run.
_GATES = {
    "venue": ("journal", "publish", "present", "report", "appear", "describ", "announc", "unveil"),
    "people": (
        "led by",
        "colleague",
        "co-worker",
        "team",
        "researcher",
        "study",
        "trial",
        "author",
        "investigator",
        "headed by",
        "directed by",
        "overseen by",
        "coordinated by",
        "lab",
        "group",
        " by ",
        " from ",
        "include",
        " are ",
        " were ",
    ),
    "author": (
        "author",
        "heading",
        "whose",
        "one of the",
        "researcher",
        "physician",
        "oncologist",
        "scientist",
        "helped",
        "investigator",
        "head of",
        "lead",
        "led ",
        "run",
        "ran ",
        "conduct",
        "worked on",
        "design",
        "principal",
        "oversaw",
        "oversee",
        "direct",
        "heads",
        "headed",
        "coordinat",
        "’s ",
        "'s ",
    ),
    "institution": (
        "researchers",
        "scientists",
        "team",
        "investigators",
        "group",
        "colleagues",
        "doctors",
        "physicians",
        "oncologists",
        "surgeons",
        "trial",
        "stud",
        "research",
        "work",
        "collaborat",
        "partnership",
        "joint",
    ),
    "funder": (
        "fund",
        "support",
        "sponsor",
        "grant",
        "provided",
        "supplied",
        "donated",
        "paid",
        "backed",
        "makes",
        "manufactur",
        "financ",
        "bankroll",
    ),
    "condition": (
        "cancer",
        "leuk",
        "lymphom",
        "melanom",
        "gliom",
        "glioblastom",
        "myelom",
        "carcinom",
        "sarcom",
        "tumo",
        "cll",
        "aml",
    ),
}


_GATES["design"] = (
    "review",
    "analys",
    "random",
    "placebo",
    "control",
    "compared",
    "phase",
    "pilot",
    "first",
    "early",
    "dose",
    "study",
    "trial",
    "treated",
    "case",
    "miracle",
    "mice",
    "mouse",
    "rat",
    "rodent",
    "dog",
    "monkey",
    "animal",
    "vitro",
    "cell line",
    "dish",
    "test tube",
)
_DIGIT = re.compile(r"\d")


def _gate(lowered: str, group: str) -> bool:
    for word in _GATES[group]:  # plain substring tests: cheaper than one alternation pattern
        if word in lowered:
            return True
    return False


def _read_sentence(
    ref: StudyReference, sentence: Segment, index: NameIndex, last_person: str | None
) -> None:
    text = sentence.text
    lowered = text.lower()
    screen = Lowered(text)
    for venue, rule in _venues(text) if _gate(lowered, "venue") else ():
        ref.venues = _add(ref.venues, venue)
        _note(ref, sentence, rule)
        if ref.date is None and (date := _DATE_WORDS.search(text)):
            ref.date = date.group(0)
    for identifier in _identifiers(text) if _DIGIT.search(text) else ():
        ref.identifiers = _add(ref.identifiers, identifier, same=lambda a, b: a == b)
        _note(ref, sentence, "study:identifier")
    for rule, pattern in _PEOPLE_RULES if _gate(lowered, "people") else ():
        for match in pattern.finditer(text) if may_match(pattern, screen) else ():
            for name in _names_in(match["names"] or match.groupdict().get("lab") or "", index):
                if " " not in name or is_org_like(name):
                    continue
                ref.people = _add(ref.people, name, same=same_person)
                _note(ref, sentence, rule)
    for match in _AUTHOR_CUE.finditer(text) if _gate(lowered, "author") and may_match(_AUTHOR_CUE, screen) else ():
        if re.search(
            r"\b(?:not|n[’']t|never)\b[^.]{0,12}$", text[max(0, match.start() - 24) : match.start()]
        ):
            continue
        person = _person_before(text, match.start(), index, last_person)
        if person is None:
            continue
        ref.people = _add(ref.people, person, same=same_person)
        _note(ref, sentence, "study:author-cue")
        if "co-led" in match.group(0).lower():
            for other in find_people(text, match.end()):
                ref.people = _add(ref.people, index.resolve(other.name), same=same_person)
    for pattern, rule in (
        (
            (_TEAM_AT, "study:team-at"),
            (_ORG_TEAM, "study:org-team"),
            (_ORG_TESTS, "study:org-tests"),
        )
        if _gate(lowered, "institution")
        else ()
    ):
        for match in pattern.finditer(text) if may_match(pattern, screen) else ():
            group = next((g for g in ("place", "by", "collab") if match.groupdict().get(g)), "org")
            if group == "by" and (
                not is_org_like(match[group])
                or _TITLE_FIRST.match(match[group])
                or any(p.start == 0 for p in find_people(match[group]))
            ):
                continue  # "led by Jane Roe (of Duke University)": a person (the people rules read it)
            if pattern is _ORG_TESTS and not _TESTING.search(lowered):
                continue
            if pattern is _ORG_TESTS and not (
                is_org_like(match["org"]) or (" " in match["org"] and not find_people(match["org"]))
            ):
                continue  # "City of Hope is testing": a run of capitalised words, not a person
            orgs = [match[group]]
            position = match.end(group)
            while pattern is _TEAM_AT and (more := _MORE_ORGS.match(text, position)) is not None:
                orgs.append(more["org"])
                position = more.end()
            if pattern is _TEAM_AT:
                orgs = [part for org in orgs for part in split_org_list(org)]
                if group == "collab":
                    orgs = [o for o in orgs if is_org_like(o)]
            for org in orgs:
                org = re.sub(r"^(?:The|Some|Other|Many|Both|U\.S\.) ", "", org.strip())
                org = re.sub(r",? (?:in|at) [A-Z][\w.]*(?: [A-Z][\w.]*)*$", "", org)
                if (
                    not org
                    or _NATIONALITY.match(org)
                    or (find_people(org) and not is_org_like(org))
                    # "Fry's team": a person's team, not a place
                    or (" " not in org and " " in index.resolve(re.sub(r"[’']s$", "", org)))
                ):
                    continue
                ref.institutions = _add(ref.institutions, org)
                _note(ref, sentence, rule)
    if _gate(lowered, "funder"):
        for match in _FUNDED.finditer(text) if may_match(_FUNDED, screen) else ():
            for org in [
                *split_org_list(match["org"]),
                *re.split(r",? (?:and )?(?:the )?(?=[A-Z])", match["more"] or ""),
            ]:
                if org.strip():
                    ref.funders = _add(ref.funders, org)
            _note(ref, sentence, "study:funded-by")
        for pattern, rule in (
            (_FUNDED_AFTER, "study:funded-by"),
            (_SUPPLIED, "study:supplied-by"),
            (_FUNDS, "study:funds"),
        ):
            for match in pattern.finditer(text) if may_match(pattern, screen) else ():
                org = re.sub(r"^(?:The|A|An) ", "", match["org"])
                if pattern is _FUNDS and (find_people(org) or not (is_org_like(org) or " " in org)):
                    continue  # "Jane Roe funded ...", "It funded ...": not an organisation
                for part in split_org_list(org):
                    ref.funders = _add(ref.funders, part)
                _note(ref, sentence, rule)
    for match in INDICATION_PATTERN.finditer(text) if _gate(lowered, "condition") and may_match(INDICATION_PATTERN, screen) else ():
        condition = _condition(match.group(1))
        if condition:
            ref.conditions = _add(ref.conditions, condition, same=lambda a, b: a == b)
    if ref.size is None and _DIGIT.search(text) and (size := _SIZE.search(text)):
        ref.size = int((size["n"] or size["m"]).replace(",", ""))
    designs = _designs(text) if _gate(lowered, "design") else []
    if designs:
        ref._designs.extend(designs)
        _note(ref, sentence, "study:design")


def appositive(text: str, end: int) -> str:
    """The words after a name up to the sentence's end, a quotation or a speech verb."""
    stop = len(text)
    for match in re.finditer(
        r"[“”\"]|\b(?:said|says|told|tells|explained|added)\b|\.(?=\s+[A-Z“\"])|\n",
        text[end : end + 300],
    ):
        cut = end + match.start()
        if match.group(0) == "." and re.search(
            r"\b(?:Dr|St|Mr|Ms|Mrs|[A-Z])$", text[max(0, cut - 4) : cut]
        ):
            continue
        stop = end + match.start()
        break
    return text[end : min(stop, end + 300)]


def _affiliations(ref: StudyReference, text: str, index: NameIndex) -> None:
    """Add the institutions the story places the study's people at (their first introduction)."""
    for person in ref.people:
        for mention in index.by_surname.get(person.split()[-1], ()):
            if same_person(mention.name, person):
                for org in organisation_at(appositive(text, mention.end)):
                    ref.institutions = _add(ref.institutions, org)


_CONDITION_WORDS = frozenset(
    "chronic acute lymphocytic lymphoblastic myeloid myelogenous b-cell t-cell her2-positive triple-negative "
    "small-cell non-small-cell breast lung colon colorectal rectal prostate ovarian pancreatic brain skin bladder "
    "kidney renal liver stomach gastric gastroesophageal cervical thyroid esophageal oesophageal uterine "
    "endometrial".split()
)


def _condition(phrase: str) -> str | None:
    """A specific condition ("chronic lymphocytic leukemia"), normalised; None for bare nouns."""
    words = [w.lower().rstrip(",") for w in phrase.split()]
    head = words[-1].replace("leukaemia", "leukemia").replace("tumour", "tumor").rstrip("s")
    if head == "cll":
        return "chronic lymphocytic leukemia"
    qualifiers = [w for w in words[:-1] if w in _CONDITION_WORDS]
    if not qualifiers and head not in {"glioblastoma", "melanoma", "myeloma", "neuroblastoma"}:
        return None
    return " ".join([*qualifiers, head])


def _finish(ref: StudyReference) -> StudyReference:
    if ref._designs:
        ref.design = min(ref._designs, key=DESIGN_ORDER.index)
    ref.institutions = tuple(
        i for i in ref.institutions if not any(same_org(i, v) for v in ref.venues)
    )
    ref.spans = tuple(sorted(set(ref._spans)))
    return ref


def find_study_references(
    text: str, sentences: list[Segment] | None = None, index: NameIndex | None = None
) -> list[StudyReference]:
    """Return the studies ``text`` reports, the main one first; empty when it names none.

    :param sentences: the text's sentences, when the caller has split it already.
    :param index: the text's :class:`NameIndex`, when the caller has built it already.
    """
    index = index or NameIndex(text)
    main = StudyReference()
    others: list[StudyReference] = []
    last_person: str | None = None
    for sentence in sentences if sentences is not None else split_sentences(text):
        target = main
        if _OTHER_STUDY.search(sentence.text):
            target = StudyReference(main=False)
            others.append(target)
        _read_sentence(target, sentence, index, last_person)
        people = find_people(sentence.text)
        if people:
            last_person = index.resolve(people[-1].name)
    for ref in [main, *others]:
        _affiliations(ref, text, index)
    found = [ref for ref in (_finish(r) for r in [main, *others]) if not ref.is_empty()]
    if found and not found[0].main:
        found[0].main = True  # the story names no study of its own beyond this one
    return found
