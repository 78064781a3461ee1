"""The voices of a story: every named person or organisation it quotes or paraphrases, the
affiliations it gives them, their role towards the study, and whether they are independent.

Pure logic. A voice is found by its speech words ("said X", "X says", "X told", "according
to X", "X explained", "he added" for the last person named); bare common nouns ("researchers
said") are not voices. Its role and independence follow "unknown is not independent":

- a tie the story states makes the voice not independent (``False``): an author or leader
  of the study, the therapy's developer, an employee (now or before) of an institution
  behind the study, of its funder or supplier;
- ``True`` only when the story gives a reason ("who was not involved in the study") and
  states no tie;
- otherwise ``None`` (unknown), with the reason.

>>> text = ('"It works," said Dr. Jane Roe, who led the study. '
...         '"Promising," said Dr. Max Poe, who was not involved in the study.')
>>> from oncoclaims.extract.study_refs import find_study_references
>>> [(v.name, v.role, v.independent) for v in find_voices(text, find_study_references(text))]
[('Jane Roe', 'study-author', False), ('Max Poe', 'not-involved', True)]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from oncoclaims.extract.attribution import GENERIC_HEADS, INSTITUTION_HEADS
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
)
from oncoclaims.extract.screen import Lowered, may_match
from oncoclaims.extract.sentences import Segment, split_sentences
from oncoclaims.extract.study_refs import DEVELOPER_CUE, StudyReference, appositive

__all__ = ["ROLES", "Voice", "find_voices"]

#: Roles a voice can have towards the study a story reports.
ROLES = (
    "study-author",
    "developer",
    "funder",
    "supplier",
    "institution-member",
    "participant",
    "not-involved",
    "unknown",
)

_SPEECH = (
    r"said|says|say|told|tells|explained|explains|added|adds|continued|continues|cautioned|"
    r"cautions|stressed|stresses|noted|notes|warned|warns|wrote|writes|agreed|agrees|"
    r"commented|comments|argued|argues|emphasized|emphasised|acknowledged|acknowledges|"
    r"predicted|predicts|believes|insisted|insists|surmised|concluded|concludes|recalled|"
    r"replied|remarked|urged|explained in|pointed out|points out|admitted|admits|conceded|concedes"
)
_TITLE = r"(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms)\.? )?"
#: A job word before a name ("oncologist Jane Roe", "Duke University oncologist Jane Roe").
_JOB = (
    r"(?:professor|director|chief|head|chair(?:man|woman)?|researcher|scientist|investigator|physician|"
    r"doctor|surgeon|nurse|specialist|spokes(?:man|woman|person)|official|expert|[a-z]{2,20}(?:ologist|ician|iatrist))"
)
#: Words between a speech verb and a name that make the name not the speaker ("said the mother
#: of Jane Roe", "according to data from the NCI").
_NOT_PREPOSITION = r"(?!(?:of|that|to|with|about|for|by|on|in|from|at|into|after|before|than)\b)"
_AFTER = re.compile(
    rf"(?:[,”\"’]|^)\s*(?:{_SPEECH})\s+(?:{_NOT_PREPOSITION}[a-z’'-]+,? ){{0,4}}{_TITLE}(?P<name>{NAME}|"
    rf"[A-Z][a-z’'-]+)\b"
)
#: The verbs without which no speaker pattern but "according to" and "spokes..," can match.
_SPEECH_WORD = re.compile(
    rf"\b(?:{_SPEECH}|called|announced|stated|claims|claimed|emphasi[sz]ing|touting|claiming|stressing|"
    r"insisting|promoting|presenting)\b"
)
#: An organisation as the speaker: "the Food and Drug Administration said", "Amgen said in a statement".
_ORG_SAID = re.compile(
    rf"(?:^|[.,;:”\"“]\s*|\bthe |\band |\bbut )(?P<name>{ORG_SHORT})(?: \([A-Z]{{2,8}}\))? (?:also |further |later )?(?:{_SPEECH}|"
    r"announced|stated|claims|claimed|(?:is|are|has|have been) (?:also )?(?:emphasi[sz]ing|touting|"
    r"claiming|stressing|insisting|promoting|presenting))\b"
)
#: A demonym or place with a lowercase organisation head: "The Russian government is emphasizing".
_BODY_SAID = re.compile(
    r"\b(?P<name>(?:[A-Z][a-z]+ ){1,4}(?:government|ministry|health ministry|regulator|authorities))"
    r"(?: (?:is|are|has|have been))? (?:also )?(?:said|says|announced|stated|claims|claimed|"
    r"emphasi[sz]ing|touting|claiming|stressing|insisting|promoting|presenting)\b"
)
#: An unnamed spokesperson speaks for the organisation: "a spokeswoman for the FDA said".
_SPOKES = re.compile(
    rf"\b(?:[Aa]n? |[Tt]he )(?:(?P<before>{ORG_SHORT}) )?spokes(?:man|woman|person)(?: (?:for|at|with|of) "
    rf"(?:the )?(?P<name>{ORG_SHORT}))?(?: (?:also )?(?:{_SPEECH})\b|,)"
)
#: "the company said": the organisation the story last named as one.
_THE_BODY_SAID = re.compile(
    rf"\b[Tt]he (?P<head>company|firm|drugmaker|agency|charity|foundation|university|institute|"
    rf"hospital) (?:also |further |later )?(?:{_SPEECH}|announced|stated)\b"
)
_COMPANY_WORD = re.compile(
    r"company|firm|drugmaker|biotech|maker|startup|charity|agency|giant|Inc|Corp|Ltd|LLC|Pharma|"
    r"Therapeutics|Biotech|AG\b|plc|makes|made|manufactur|develop|sells|markets"
)
_COMPANY_CUE = re.compile(
    rf"(?P<a>{ORG_SHORT}),? (?:an? |the )(?:[\w-]+ ){{0,3}}(?:company|firm|drugmaker|biotech|maker|startup|"
    rf"charity|agency)\b|\b(?:company|firm|drugmaker|biotech|charity|agency|giant) (?P<b>{ORG_SHORT})|"
    rf"(?P<c>{ORG_SHORT} (?:Inc|Corp|Ltd|LLC|Pharmaceuticals|Therapeutics|Biotech|Pharma|AG|plc)\b\.?)|"
    # "Acme, which makes the drug," "Acme, the drug's maker,"
    rf"(?P<d>{ORG_SHORT}), (?:which|that) (?:makes|made|manufactures|developed|develops|sells|markets) |"
    rf"(?P<e>{ORG_SHORT}), the (?:drug|vaccine|therapy|treatment)[’']s (?:maker|developer|manufacturer)"
)
_SUBJECT = re.compile(
    rf"(?:^|[.,;:”\"“]\s*|\band\s|\bbut\s|[’']s\s|\b{_JOB}\s){_TITLE}(?P<name>{NAME}|[A-Z][a-z’'-]+)"
    rf"(?P<app>(?:,? (?:of|from|at) [^,“”\"]{{0,80}})?(?:, [^“”\"]{{0,260}}?,)?) "
    rf"(?:also |further |then |later )?(?:{_SPEECH}|called (?=the |it |this |these |them |that ))\b"
)
_ACCORDING = re.compile(
    rf"\b[Aa]ccording to (?:(?:the )?(?:{_NOT_PREPOSITION}[a-z’'-]+ ){{0,2}})?{_TITLE}(?P<name>{NAME}|{ORG}|"
    rf"[A-Z][a-z’'-]+)"
)
_PRONOUN = re.compile(rf"(?:^|[,”\"’]\s*)(?P<p>he|she|He|She) (?:also |then )?(?:{_SPEECH})\b")
_NOT_INVOLVED = re.compile(
    r"\b(?:(?:was|is|were|are|had been|has been)(?: not|n[’']t)|wasn[’']t|isn[’']t|weren[’']t|aren[’']t) "
    r"(?:involved|part of|affiliated|associated|connected)|\bnot (?:involved|affiliated|associated|connected) "
    r"(?:in|with)\b|\bnot involved\b|\buninvolved\b|\bhad no (?:role|part|involvement)\b|"
    r"\bhad nothing to do with\b|\b(?:did|does|do)(?: not|n[’']t) (?:take part|participate|work) (?:in|on)\b|"
    r"\bindependent (?:expert|researcher|scientist|observer|reviewer)\b|\boutside (?:expert|observer)\b|"
    r"\b(?:has|had|have|with) no (?:ties|links|connection|affiliation|financial ties|involvement|role) "
    r"(?:to|with|in)\b|\b(?:un|non-?)affiliated with\b|"
    r"\b(?:(?:was|is|were|are)(?: not|n[’']t)|wasn[’']t|isn[’']t|not) (?:an? |one of the )?(?:author|co-?author|"
    r"investigator|researcher)s? (?:of|on|in) (?:the|this)\b|\bindependent of the (?:study|trial|research)\b",
    re.I,
)
_FORMER = re.compile(
    rf"\b(?:used to work (?:at|for)|formerly (?:of|at|with)|former [a-z ]{{0,30}}(?:at|of)) "
    rf"(?:the )?(?P<org>{ORG})"
)
_PARTICIPANT = re.compile(
    r"\b(?:patients?|mother|father|daughter|son|wife|husband|parents?|"
    r"participants?|survivors?)\b",
    re.I,
)
_RELATIVE = (
    r"(?:mother|father|mom|dad|mum|wife|husband|daughter|son|parents?|sister|brother|"
    r"grandmother|grandfather|grandparents?|partner|fianc[ée]e?)"
)
#: Words a story uses for a patient or a patient's family (in the voice's introduction).
_PARTICIPANT_CUE = re.compile(
    rf"\b(?:is|was|are|were|became) (?:one of (?:those|the|\d+|[a-z]+) (?:[\w-]+ ){{0,3}}"
    rf"(?:patients|participants|people|volunteers|who)|(?:an? |the )(?:[\w-]+ ){{0,2}}(?:patient|participant|"
    rf"survivor))\b|\bdiagnosed with\b|\b(?:received|got|tried|underwent|enrolled in|joined|signed up for) "
    rf"(?:the|a|an|this|that) (?:[\w-]+ ){{0,3}}(?:therapy|treatment|trial|study|vaccine|infusion|drug|"
    rf"combination)\b|\b(?:his|her|their|[A-Z][a-z]+[’']s) {_RELATIVE}\b|\b{_RELATIVE} of\b|"
    rf"^,? \d{{1,3}},",
)
#: Words for a professional: such a voice is not taken for a patient.
_PROFESSIONAL = re.compile(
    r"\b(?:Dr|MD|M\.D|Ph\.?D|professor|oncologist|physician|doctor|researcher|scientist|investigator|"
    r"director|chief|head|surgeon|specialist|nurse|analyst|spokes(?:man|woman|person)|official|officer|"
    r"author|chair(?:man|woman)?|dean|\w+ologist|\w+ician)\b",
    re.I,
)
_NOT_VOICES = frozenset(
    {
        "Newsweek",
        "Reuters",
        "WebMD",
        "The",
        "It",
        "This",
        "That",
        "They",
        "There",
        "We",
        "I",
        "He",
        "She",
        "But",
        "And",
        "So",
        "Still",
        "However",
        "Here",
        "What",
        "Those",
        "These",
        "Some",
        "Doctors",
        "Researchers",
        "Scientists",
        "Experts",
        "Analysts",
        "Officials",
        "Read",
        "More",
        "Advertisement",
    }
)
#: A person's name with the organisation they are at: the person speaks, not the organisation.
_PERSON_OF_ORG = re.compile(rf"{NAME} (?:of|at|from|with) ")
#: An organisation named after a preposition ("at the Mayo Clinic said") is not the subject.
_AFTER_PREPOSITION = re.compile(r"\b(?:at|of|from|with|for|in|by|to)\s+(?:the\s+)?$")
#: "Duke University's Jane Roe": the organisation before a person's name is their affiliation.
_POSSESSIVE_ORG = re.compile(
    rf"(?:^|[^\w’'])(?:the )?(?P<org>{ORG_SHORT})(?:[’']s (?:[a-z-]+ ){{0,3}}| (?:[a-z-]+ )?{_JOB} )"
    r"(?:(?:Dr|Prof)\.? )?$"
)
#: "Jane Roe, Acme's chief executive": an organisation's post in the appositive.
_POST_OF = re.compile(
    rf"(?:^|, )(?:the )?(?P<org>{ORG_SHORT})[’']s (?:[a-z-]+ ){{0,2}}(?:chief executive|executive|CEO|"
    r"founder|co-founder|president|chair(?:man|woman)?|director|head|spokes(?:man|woman|person)|"
    r"officer|scientist|researcher|medical director)\b"
)
#: The first of two people who speak together: "Jane Roe and Max Poe said".
_PAIR_BEFORE = re.compile(rf"(?:^|[.,;:”\"“]\s*){_TITLE}(?P<name>{NAME}) and (?:(?:Dr|Prof)\.? )?$")
_PRONOUN_START = re.compile(r"\s*(?:He|She|They)\b")
_ORG_MENTION = re.compile(rf"\b(?:the )?(?P<org>{ORG_SHORT})")
_TIE_ORG = re.compile(
    rf"\b(?:funded by|employed by|works for|consults? for|consultant (?:to|for)|adviser to|"
    rf"advisor to|shares in|stock in|co-?founded|founded) (?:the )?(?:charity |company )?"
    rf"(?P<org>{ORG})"
)


@dataclass(slots=True)
class Voice:
    """A person or organisation a story quotes or paraphrases."""

    name: str
    kind: str
    spans: tuple[tuple[int, int], ...] = ()
    affiliations: tuple[str, ...] = ()
    role: str = "unknown"
    independent: bool | None = None
    reason: str = ""
    rules: tuple[str, ...] = ()


def _is_voice_name(name: str) -> bool:
    words = name.split()
    if name in _NOT_VOICES or words[0] in _NOT_VOICES:
        return False
    return not (words[-1].lower() in GENERIC_HEADS or name.lower() in GENERIC_HEADS)


def _shaped(name: str, companies: frozenset[str]) -> bool:
    """Whether ``name`` has the shape of a speaker: an organisation, or a person's name."""
    if (
        is_org_like(name)
        or re.fullmatch(r"[A-Z]{2,6}", name)
        or name in companies
        or name.split()[-1] in INSTITUTION_HEADS
    ):
        return True
    if " " not in name:
        return True  # a surname, resolved (or dropped) against the names the story gives in full
    people = find_people(name)
    return len(people) == 1 and people[0].name == name


def _organisations(text: str) -> list[tuple[int, str]]:
    """(position, name) of each organisation the story names as a company, agency or other body."""
    found: dict[int, str] = {}
    done = 0
    # Only around the words the pattern needs, so a long text without them costs one scan.
    for cue in _COMPANY_WORD.finditer(text):
        start = max(done, cue.start() - 200)
        for match in _COMPANY_CUE.finditer(text, start, min(len(text), cue.end() + 200)):
            group = next(g for g in ("a", "b", "c", "d", "e") if match[g])
            name = re.sub(r"^(?:The|A|An) ", "", match[group]).strip(" ,.")
            if name and not find_people(name):
                found.setdefault(match.start(group), name)
        done = max(done, cue.end() + 200)
    return sorted(found.items())


def _last_body(
    bodies: list[tuple[int, str]], orgs: list[tuple[int, str]], head: str, before: int
) -> str | None:
    """The organisation "the company" (or "the agency", ...) refers to: the last one named before."""
    if head in {"company", "firm", "drugmaker"}:
        candidates = bodies
    else:
        word = {"agency": ("agency", "administration")}.get(head, (head,))
        candidates = [(p, n) for p, n in orgs if any(w in n.lower() for w in word)]
    earlier = [name for position, name in candidates if position < before]
    return earlier[-1] if earlier else None


def _speech_mentions(
    sentence: Segment,
    companies: frozenset[str],
    bodies: list[tuple[int, str]],
    orgs: list[tuple[int, str]],
) -> list[tuple[str, int, int, str]]:
    """(name as written, start, end, rule) of each speaker the sentence names."""
    found: list[tuple[str, int, int, str]] = []
    text = sentence.text
    lowered = Lowered(text)
    speech = may_match(_SPEECH_WORD, lowered) and _SPEECH_WORD.search(text) is not None
    for pattern, rule in (
        (_AFTER, "voice:quote-said"),
        (_SUBJECT, "voice:subject-said"),
        (_ACCORDING, "voice:according-to"),
        (_ORG_SAID, "voice:org-said"),
        (_BODY_SAID, "voice:org-said"),
        (_SPOKES, "voice:spokesperson"),
    ):
        if not (
            speech
            or (pattern is _ACCORDING and "ccording to" in text)
            or (pattern is _SPOKES and "spokes" in text)
        ):
            continue  # every other pattern needs a speech or paraphrase verb
        if not may_match(pattern, lowered):
            continue
        for match in pattern.finditer(text):
            group = "name" if match["name"] else "before"
            if pattern is _SPOKES and (
                not match[group] or re.search(rf"{NAME},\s*$", text[: match.start()])
            ):
                continue  # a named spokesperson is the voice (found by the other rules)
            name = re.sub(r"^(?:The|A|An) ", "", match[group]).strip(" ,.’'")
            name = re.sub(r"[’']s$", "", name)
            if not name or not _is_voice_name(name) or not _shaped(name, companies):
                continue
            if pattern is _ORG_SAID and not (
                is_org_like(name) or name in companies or re.fullmatch(r"[A-Z]{2,6}", name)
            ):
                continue  # a person's name: found by the other rules
            if pattern is _ORG_SAID and (
                _PERSON_OF_ORG.match(name)
                or _AFTER_PREPOSITION.search(text, 0, match.start(group))
                or re.search(rf"[’']s (?:(?:Dr|Prof)\.? )?{NAME}$", name)
            ):
                continue  # "Jane Roe of Duke University said", "a doctor at the Mayo Clinic said"
            start = sentence.start + match.start(group) + match[group].find(name)
            found.append((name, start, start + len(name), rule))
            if pattern is _SUBJECT and (pair := _PAIR_BEFORE.search(text, 0, match.start(group))):
                first = sentence.start + pair.start("name")
                found.append((pair["name"], first, first + len(pair["name"]), rule))
    # One speaker per place: the longest name found there ("Food and Drug Administration", not
    # "Drug Administration"), the first rule that found it.
    kept: list[tuple[str, int, int, str]] = []
    for item in sorted(found, key=lambda f: (f[1], -(f[2] - f[1]))):
        if not kept or item[1] >= kept[-1][2]:  # sorted by start: only the last kept can overlap
            kept.append(item)
    found = kept
    for match in _THE_BODY_SAID.finditer(text) if speech else ():
        body = _last_body(bodies, orgs, match["head"], sentence.start + match.start())
        if body is not None:
            start = sentence.start + match.start("head")
            found.append((body, start, start + len(match["head"]), "voice:the-company-said"))
    return found


def _kind(name: str) -> str:
    words = name.lower().split()
    if (
        is_org_like(name)
        or (words and words[-1] in INSTITUTION_HEADS)
        or re.fullmatch(r"[A-Z]{2,6}", name)
    ):
        return "institution"
    return "person"


def _context(text: str, name: str, index: NameIndex) -> str:
    """The words the story puts after the voice's introductions (appositives), joined."""
    parts = []
    for mention in index.by_surname.get(name.split()[-1], ()):
        if same_person(mention.name, name):
            parts.append(appositive(text, mention.end))
    return " | ".join(parts)


def _possessive_orgs(text: str, name: str, index: NameIndex) -> list[str]:
    """The organisations the story puts before the person's name ("Duke University's Jane Roe")."""
    found = []
    for mention in index.by_surname.get(name.split()[-1], ()):
        if same_person(mention.name, name):
            match = _POSSESSIVE_ORG.search(text, max(0, mention.start - 120), mention.start)
            if match is not None and is_org_like(match["org"]):
                found.append(re.sub(r"^(?:The|A|An) ", "", match["org"]))
    return found


def _sentences_naming(sentences: list[Segment], name: str, naming: dict[str, list[int]]) -> list[str]:
    """The sentences holding the voice's surname as a word (``naming``: word -> sentence numbers)."""
    return [sentences[i].text for i in naming.get(name.split()[-1], ())]


def _introduction(
    text: str, voice: Voice, index: NameIndex, sentences: list[Segment], starts: list[int]
) -> tuple[str, str]:
    """How the story introduces a person: (the words just before and after the first mention, the
    sentence of that mention and the next when it goes on with "He" or "She")."""
    first = next(
        (
            m
            for m in index.by_surname.get(voice.name.split()[-1], ())
            if same_person(m.name, voice.name)
        ),
        None,
    )
    if first is None:
        return "", ""
    near = text[max(0, first.start - 60) : first.start] + " " + appositive(text, first.end)
    position = bisect_right(starts, first.start) - 1
    said = [sentences[position].text] if position >= 0 else []
    if 0 <= position + 1 < len(sentences) and _PRONOUN_START.match(sentences[position + 1].text):
        said.append(sentences[position + 1].text)
    return near, " ".join(said)


def _participant(intro: tuple[str, str], context: str) -> bool:
    """Whether the story introduces a person as a patient or a patient's family."""
    near, said = intro
    if _PROFESSIONAL.search(near):
        return False
    appositive_words = context.split(" | ")[0]
    return bool(
        _PARTICIPANT.search(appositive_words[:60])
        or _PARTICIPANT_CUE.search(near)
        or _PARTICIPANT_CUE.search(said)
        or re.match(r",? \d{1,3}(?:,|$)", appositive_words)
    )


def _judge(
    voice: Voice,
    context: str,
    naming: list[str],
    studies: list[StudyReference],
    intro: tuple[str, str] = ("", ""),
) -> None:
    """Set the voice's role, independence and reason from what the story states."""
    people = [p for s in studies for p in s.people]
    institutions = [i for s in studies for i in s.institutions]
    funders = [f for s in studies for f in s.funders]
    former = [m["org"] for m in _FORMER.finditer(context + " " + " ".join(naming))]
    not_involved = next(
        (m.group(0) for t in [context, *naming] for m in [_NOT_INVOLVED.search(t)] if m), None
    )
    developer = DEVELOPER_CUE.search(context)
    if voice.kind == "person" and any(same_person(voice.name, p) for p in people):
        voice.role, voice.independent = "study-author", False
        voice.reason = "the story names them as an author or leader of the study"
    elif developer:
        voice.role, voice.independent = "developer", False
        voice.reason = f"the story says they “{developer.group(0)}” the therapy"
    elif tied := [
        f
        for f in funders
        if any(same_org(f, a) for a in voice.affiliations) or same_org(f, voice.name)
    ]:
        voice.role, voice.independent = "funder", False
        voice.reason = (
            f"affiliated with {tied[0]}, which the story says funded or supplied the study"
        )
    elif tied := [
        i
        for i in institutions
        for o in [*voice.affiliations, *former, voice.name]
        if same_org(i, o)
    ]:
        voice.role, voice.independent = "institution-member", False
        when = (
            "formerly "
            if former and not any(same_org(tied[0], a) for a in voice.affiliations)
            else ""
        )
        voice.reason = f"{when}at {tied[0]}, an institution behind the study"
        if not_involved:
            voice.reason += f", although the story says “{not_involved}”"
    elif not_involved:
        voice.role, voice.independent = "not-involved", True
        voice.reason = f"the story says “{not_involved}” and states no tie to the study"
    elif voice.kind == "person" and _participant(intro, context):
        voice.role, voice.independent = "participant", None
        voice.reason = "a patient or a patient's family; the story says nothing of ties"
    else:
        voice.role, voice.independent = "unknown", None
        voice.reason = "the story gives no reason to think them independent and states no tie"


def find_voices(
    text: str,
    studies: list[StudyReference],
    sentences: list[Segment] | None = None,
    index: NameIndex | None = None,
) -> list[Voice]:
    """Return the named voices of ``text``, in order of first speech, judged against ``studies``.

    :param sentences: the text's sentences, when the caller has split it already.
    :param index: the text's :class:`NameIndex`, when the caller has built it already.
    """
    index = index or NameIndex(text)
    sentences = sentences if sentences is not None else split_sentences(text)
    naming: dict[str, list[int]] = {}  # word -> the sentences holding it, in order
    for number, sentence in enumerate(sentences):
        for word in set(re.findall(r"[\w’'-]+", sentence.text)):
            naming.setdefault(word, []).append(number)
    starts = [s.start for s in sentences]
    bodies = _organisations(text)
    companies = frozenset(name for _, name in bodies)
    orgs = [
        (m.start("org"), m["org"]) for m in _ORG_MENTION.finditer(text) if is_org_like(m["org"])
    ]
    venues = [v for study in studies for v in study.venues]
    voices: dict[str, Voice] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    last_person: str | None = None
    for sentence in sentences:
        mentions = _speech_mentions(sentence, companies, bodies, orgs)
        pronouns = _PRONOUN.finditer(sentence.text) if may_match(_PRONOUN, Lowered(sentence.text)) else ()
        for pronoun in pronouns:
            if last_person is not None and not mentions:
                start = sentence.start + pronoun.start("p")
                mentions.append(
                    (last_person, start, start + len(pronoun["p"]), "voice:pronoun-said")
                )
        speaker = None
        for name, start, end, rule in mentions:
            full = index.resolve(name)
            kind = "institution" if full in companies else _kind(full)
            if kind == "institution" and any(same_org(full, v) for v in venues):
                continue  # "according to Nature": the study's venue, not a voice
            if kind == "person" and " " not in full:
                continue  # a surname the story never gives in full: no one to name
            key = next(
                (
                    k
                    for k in voices
                    if (same_person(k, full) if kind == "person" else same_org(k, full))
                ),
                full,
            )
            voice = voices.setdefault(key, Voice(full, kind))
            if kind == "person":
                speaker = voice.name
            spans.setdefault(key, []).append((start, end))
            if rule not in voice.rules:
                voice.rules = voice.rules + (rule,)
        for person in find_people(sentence.text):
            last_person = index.resolve(person.name)
        if speaker is not None:
            last_person = speaker  # "he said" next goes on with this sentence's speaker
    for key, voice in voices.items():
        voice.spans = tuple(spans.get(key, ()))
        context = _context(text, voice.name, index) if voice.kind == "person" else ""
        orgs = _possessive_orgs(text, voice.name, index) if voice.kind == "person" else []
        former = [m["org"] for m in _FORMER.finditer(context)]
        for part in context.split(" | "):
            orgs.extend(organisation_at(part))
            orgs.extend(m["org"] for m in _POST_OF.finditer(part) if not find_people(m["org"]))
            orgs.extend(m["org"] for m in _TIE_ORG.finditer(part))
        affiliations: list[str] = []
        for org in orgs:
            org = org.strip(" ,.")
            if any(same_org(org, f) for f in former):
                continue  # a former employer is a tie (see _judge), not a current affiliation
            if org and not any(same_org(org, a) for a in affiliations):
                affiliations.append(org)
        voice.affiliations = tuple(affiliations)
        intro = _introduction(text, voice, index, sentences, starts) if voice.kind == "person" else ("", "")
        _judge(voice, context, _sentences_naming(sentences, voice.name, naming), studies, intro)
    return list(voices.values())
