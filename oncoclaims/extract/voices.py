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
from dataclasses import dataclass

from oncoclaims.extract.attribution import GENERIC_HEADS, INSTITUTION_HEADS
from oncoclaims.extract.names import (
    NAME,
    ORG,
    NameIndex,
    find_people,
    is_org_like,
    organisation_at,
    same_org,
    same_person,
)
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
    r"replied|remarked|urged|explained in"
)
_TITLE = r"(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms)\.? )?"
_AFTER = re.compile(
    rf"(?:[,”\"’]|^)\s*(?:{_SPEECH})\s+(?:(?:[a-z]+|[a-z]+,) ){{0,3}}{_TITLE}(?P<name>{NAME}|"
    rf"[A-Z][a-z’'-]+)\b"
)
_SUBJECT = re.compile(
    rf"(?:^|[.,;:”\"“]\s*|\band\s|\bbut\s){_TITLE}(?P<name>{NAME}|[A-Z][a-z’'-]+)"
    rf"(?P<app>(?:,? (?:of|from|at) [^,“”\"]{{0,80}})?(?:, [^“”\"]{{0,260}}?,?)?) "
    rf"(?:also |further |then |later )?(?:{_SPEECH})\b"
)
_ACCORDING = re.compile(
    rf"\baccording to (?:(?:the )?(?:[a-z]+ ){{0,2}})?{_TITLE}(?P<name>{NAME}|{ORG}|"
    rf"[A-Z][a-z’'-]+)"
)
#: Every speech pattern (and the pronoun one) holds a speech word or "according to": a sentence
#: without any is not searched with them (speed only; the same voices are found).
_SPEECH_GATE = re.compile(rf"{_SPEECH}|according to")
_PRONOUN = re.compile(rf"(?:^|[,”\"’]\s*)(?P<p>he|she|He|She) (?:also |then )?(?:{_SPEECH})\b")
_NOT_INVOLVED = re.compile(
    r"\b(?:(?:was|is|were|are|had been|has been)(?: not|n[’']t)|wasn[’']t|isn[’']t) (?:involved|part of|"
    r"affiliated)|\bnot involved\b|\bhad no (?:role|part)\b|\bindependent (?:expert|researcher|scientist)\b",
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


def _speech_mentions(sentence: Segment) -> list[tuple[str, int, int, str]]:
    """(name as written, start, end, rule) of each speaker the sentence names."""
    found: list[tuple[str, int, int, str]] = []
    text = sentence.text
    if _SPEECH_GATE.search(text) is None:
        return found
    for pattern, rule in (
        (_AFTER, "voice:quote-said"),
        (_SUBJECT, "voice:subject-said"),
        (_ACCORDING, "voice:according-to"),
    ):
        for match in pattern.finditer(text):
            name = match["name"].strip(" ,.’'")
            name = re.sub(r"[’']s$", "", name)
            if not name or not _is_voice_name(name):
                continue
            start = sentence.start + match.start("name")
            if any(start == f[1] for f in found):
                continue
            found.append((name, start, start + len(name), rule))
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


def _sentences_naming(sentences: list[Segment], name: str, words: list[set[str]]) -> list[str]:
    surname = name.split()[-1]
    return [s.text for s, found in zip(sentences, words, strict=True) if surname in found]


def _judge(voice: Voice, context: str, naming: list[str], studies: list[StudyReference]) -> None:
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
    elif voice.kind == "person" and _PARTICIPANT.search(
        context.split("|")[0][:60] if context else ""
    ):
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
    words = [set(re.findall(r"[\w’'-]+", s.text)) for s in sentences]
    voices: dict[str, Voice] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    last_person: str | None = None
    for sentence in sentences:
        mentions = _speech_mentions(sentence)
        speech = mentions or _SPEECH_GATE.search(sentence.text) is not None
        for pronoun in _PRONOUN.finditer(sentence.text) if speech else ():
            if last_person is not None and not mentions:
                start = sentence.start + pronoun.start("p")
                mentions.append(
                    (last_person, start, start + len(pronoun["p"]), "voice:pronoun-said")
                )
        for name, start, end, rule in mentions:
            full = index.resolve(name)
            kind = _kind(full)
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
            spans.setdefault(key, []).append((start, end))
            if rule not in voice.rules:
                voice.rules = voice.rules + (rule,)
        for person in find_people(sentence.text):
            last_person = index.resolve(person.name)
    for key, voice in voices.items():
        voice.spans = tuple(spans.get(key, ()))
        context = _context(text, voice.name, index) if voice.kind == "person" else ""
        orgs = []
        former = [m["org"] for m in _FORMER.finditer(context)]
        for part in context.split(" | "):
            orgs.extend(organisation_at(part))
            orgs.extend(m["org"] for m in _TIE_ORG.finditer(part))
        affiliations: list[str] = []
        for org in orgs:
            org = org.strip(" ,.")
            if any(same_org(org, f) for f in former):
                continue  # a former employer is a tie (see _judge), not a current affiliation
            if org and not any(same_org(org, a) for a in affiliations):
                affiliations.append(org)
        voice.affiliations = tuple(affiliations)
        _judge(voice, context, _sentences_naming(sentences, voice.name, words), studies)
    return list(voices.values())
