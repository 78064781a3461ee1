"""Claims from article text: which sentences or clauses assert something about a therapy.

The pipeline, rule by rule (each rule's id is recorded with the claim it produced):

1. The text is cut into lines and sentences (:mod:`.sentences`).
2. A sentence that is a question, a conditional or a byline is skipped (``skip:*``);
   one about therapies in general and naming none is skipped (``generic:*``).
3. Its claim type comes from cue words (``type:*``, :mod:`.rules`); no cue, no claim.
   Absence-of-evidence statements count whatever they are about; any other type needs
   the sentence to be about a therapy: naming one, pointing back at one ("it", "the
   vaccine"), or following a sentence of its paragraph that was.
4. A sentence whose coordinated parts (", and", ";", "and no") each have a cue is cut
   into clauses (``clause:coordination``); a ", which are ..." clause with a cue of a
   different type becomes a claim of its own as well (``clause:relative``).
5. Each claim gets its quantities, hedge and hype markers, population, cancer type,
   attribution (``attribution:*``; a sentence that only attributes, such as "The results
   reported by the Russian press sound spectacular.", carries its attribution to the
   claims that follow in its paragraph: ``attribution:*+carried``) and therapies (named
   in the sentence, else the article's main therapy: ``therapy:main``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from oncoclaims.extract.attribution import (
    Attribution,
    Party,
    find_attributions,
    find_full_names,
    find_pronoun_attribution,
    resolve_surnames,
)
from oncoclaims.extract.language import detect_language
from oncoclaims.extract.names import find_people
from oncoclaims.extract.quantities import Quantity, find_quantities
from oncoclaims.extract.rules import (
    GENERIC_RULES,
    HEDGE_RULES,
    HYPE_RULES,
    Marker,
    Rule,
    TypeMatch,
    classify_claim_type,
    find_indication,
    find_markers,
    find_population,
    skip_reason,
)
from oncoclaims.extract.screen import Lowered, could_match
from oncoclaims.extract.sentences import (
    Segment,
    split_blocks,
    split_coordinated,
    split_sentences,
    trim_dateline,
)
from oncoclaims.extract.therapies import (
    TherapyIndex,
    TherapyMention,
    choose_main_therapy,
    propose_therapies,
)

__all__ = [
    "CONTEXT_CHARS",
    "NAMED_THERAPY",
    "QUOTED_VIEW",
    "ExtractedClaim",
    "Extraction",
    "extract_claims",
]

#: How many characters of text the quote selector keeps before and after a span.
CONTEXT_CHARS = 32

_ANAPHOR = re.compile(
    r"\b(?:it|its|they|them|this|these)\b|\bthe (?:[\w-]+ ){0,2}(?:vaccines?|treatments?|"
    r"therap(?:y|ies)|drugs?|virus(?:es)?|approach|technique|shots?|product|cells|agent)\b",
    re.IGNORECASE,
)
# Words that point at a therapy or its workings without naming it ("T-cells", "the virus").
_THERAPY_WORDS = re.compile(
    r"\b(?:vaccin\w*|treatments?|therap(?:y|ies)|virus(?:es)?|T[- ]cells?|cells|infusions?|"
    r"injections?|drugs?|study|trials?|findings|results|researchers|investigators)\b",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r",\s+(which (?:is|are|was|were) [^,;.]+?)(?=\s+but\b|\s+and\b|,|;|\.|$)")
#: The type of a quoted view that has no cue word of its own.
QUOTED_VIEW = TypeMatch("efficacy", "type:quoted-view", "")
_PARTICIPLE = re.compile(r"((?:[A-Z][a-z]+ed) (?:by|as|for|in|to|with)\b[^,;]{1,200}?)(?=,)")
#: Hopes and feelings: a quoted view holding them and no cue word asserts nothing about the
#: therapy ("It is tremendously exciting," "We are really hopeful that ...").
_FEELING = re.compile(
    r"\b(?:hope[sd]?|hopeful(?:ly)?|hoping|excit(?:ed|ing)|thrill(?:ed|ing)|big deal|wish(?:es|ed)?|"
    r"(?:happy|glad|proud|pleased|grateful|delighted) (?:to|that|with)|feel(?:s|ing)? (?:good|great|lucky))\b",
    re.IGNORECASE,
)
#: The type of a sentence that names a therapy and has no cue word.
NAMED_THERAPY = TypeMatch("mechanism", "type:named-therapy", "")
_ENDS_SENTENCE = re.compile(r"[.!?][\"”’')\]]*$")
_TOTAL = re.compile(r"\b(?:total|complete|full) effectiveness\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """One claim found in a text: its span, what it says, and the rules that found it."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    claim_type: str
    therapies: tuple[TherapyMention, ...]
    population: str | None
    indication: str | None
    quantities: tuple[Quantity, ...]
    hedges: tuple[str, ...]
    hypes: tuple[str, ...]
    attribution: Attribution | None
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one text."""

    text: str
    language: str
    claims: tuple[ExtractedClaim, ...]
    therapies: tuple[TherapyMention, ...]
    main_therapy: str | None
    warnings: tuple[str, ...]


@dataclass(slots=True)
class _Paragraph:
    carried: Attribution | None = None
    about: bool = False


_QUOTE_MARKS = re.compile('[“”"]')


def _quoted(sentences: list[Segment]) -> list[bool]:
    """Per sentence of a paragraph: whether it is (partly) inside a quotation.

    Curly quotes open and close; a straight double quote toggles. A sentence is quoted
    when a quotation is open at its start or one opens in it.
    """
    result = []
    open_ = False
    for sentence in sentences:
        quoted = open_
        for char in _QUOTE_MARKS.findall(sentence.text):  # the only characters that count
            if char == "“" or (char == '"' and not open_):
                open_ = quoted = True
            elif char == "”" or char == '"':
                open_ = False
        result.append(quoted)
    return result


def _attribution_of_part(part: Segment, sentence: Segment, attribution: Attribution | None,
                         carried: bool) -> Attribution | None:
    """The attribution of one coordinated part of a sentence.

    A speaker named in a later part, with words of their own after it, speaks for that part
    only: "The treatment appears safe, but researchers said more study was needed". One
    named at the end ("…, and a portion turned into memory cells, researchers surmised.")
    or before the part, or after a quotation ("“…, and …,” said X, a virologist"), speaks for it.
    """
    if attribution is None or carried or attribution.start < part.end or (
        attribution.rule.startswith("attribution:quote-said")
    ):
        return attribution
    tail = sentence.text[attribution.end - sentence.start:].strip(" .!?”\"’'")
    return attribution if not tail else None


def _markers(rules: tuple[Rule, ...], segment: Segment) -> list[Marker]:
    return find_markers(rules, segment.text, segment.start)


def _total_as_hundred(segment: Segment) -> list[Quantity]:
    """"total effectiveness" means 100 percent effectiveness."""
    return [
        Quantity("effectiveness", "percent", "exactly", segment.start + m.start(),
                 segment.start + m.end(), m.group(0), "quantity:total-as-100", value=Decimal(100))
        for m in _TOTAL.finditer(segment.text)
    ]


def _masked(sentence: Segment, attributions: Iterable[Attribution]) -> str:
    """The sentence with its attribution words blanked, so they cue no claim type."""
    chars = list(sentence.text)
    for attribution in attributions:
        for index in range(attribution.start - sentence.start, attribution.end - sentence.start):
            if 0 <= index < len(chars):
                chars[index] = " "
    return "".join(chars)


class _Extractor:
    def __init__(self, text: str, index: TherapyIndex, title: str) -> None:
        self.text = text
        self.index = index
        self.known = index.find(text)
        taken = [(m.start, m.end) for m in self.known]
        proposed = [
            m for m in propose_therapies(text, exclude=index.labels)
            if all(m.end <= s or m.start >= e for s, e in taken)
        ]
        self.mentions = sorted(self.known + proposed, key=lambda m: m.start)
        self._starts = [m.start for m in self.mentions]
        self.main = choose_main_therapy(self.mentions, title)
        self.full_names: dict[str, str] = find_full_names(text)
        self.last_person: Party | None = None
        self.claims: list[ExtractedClaim] = []

    def mentions_in(self, start: int, end: int) -> tuple[TherapyMention, ...]:
        found: dict[str, TherapyMention] = {}
        # the mentions are sorted by start: look at those starting in the span only (a long
        # story names its therapy thousands of times)
        for index in range(bisect_left(self._starts, start), len(self.mentions)):
            mention = self.mentions[index]
            if mention.start > end:
                break
            if mention.end <= end:
                found.setdefault(mention.label, mention)
        return tuple(found.values())

    def run(self) -> None:
        # The speaker of the quotation that closed the previous paragraph, for a paragraph
        # that is only a quotation and names no speaker (news style for a long quotation).
        previous_speaker: Attribution | None = None
        for block in split_blocks(self.text):
            paragraph = _Paragraph()
            sentences = split_sentences(self.text, block.start, block.end)
            if sentences:
                sentences[0] = trim_dateline(self.text, sentences[0])
            found = [self.attributions(sentence) for sentence in sentences]
            quoted = _quoted(sentences)
            speaker: Attribution | None = None  # of the last quotation attributed so far
            for index, sentence in enumerate(sentences):
                attributions = found[index]
                if not attributions and quoted[index]:
                    attributions = self.speaker_of(index, found, speaker, previous_speaker,
                                                   paragraph_names_none=not any(found))
                elif attributions and quoted[index]:
                    speaker = attributions[0]
                self.sentence(sentence, paragraph, attributions, quoted[index])
            previous_speaker = speaker if sentences and quoted[-1] else None

    @staticmethod
    def speaker_of(index: int, found: list[list[Attribution]], speaker: Attribution | None,
                   previous: Attribution | None, paragraph_names_none: bool) -> list[Attribution]:
        """The speaker of an unattributed sentence of a quotation, and how it was found."""
        later = next((a for a in found[index + 1:] if a), [])
        if later:
            # A quotation whose speaker is named in a later sentence of the paragraph.
            chosen, how = later[0], "+quote-continued"
        elif speaker is not None:
            # The quotation goes on after its speaker was named ("…,” Shi explained. “For example, …”).
            chosen, how = speaker, "+quote-resumed"
        elif previous is not None and paragraph_names_none:
            chosen, how = previous, "+quote-paragraph"
        else:
            return []
        rule = chosen.rule.split("+")[0] + how
        return [Attribution(chosen.text, chosen.start, chosen.end, chosen.parties, rule)]

    def attributions(self, sentence: Segment) -> list[Attribution]:
        found = []
        for attribution in find_attributions(sentence.text, sentence.start):
            parties = resolve_surnames(attribution.parties, self.full_names)
            for party in parties:
                if party.kind == "person" and " " in party.label:
                    self.full_names.setdefault(party.label.split()[-1], party.label)
            parties = tuple(
                Party(p.label, p.kind, False) if p.kind == "person" and " " in p.label else p
                for p in parties
            )
            found.append(Attribution(attribution.text, attribution.start, attribution.end,
                                     parties, attribution.rule))
        if not found:
            pronoun = find_pronoun_attribution(sentence.text, sentence.start, self.last_person)
            if pronoun is not None:
                found.append(pronoun)
        # "He said" in a later sentence is the person named last: a speaker, or anyone
        # the sentence names ("John O’Donnell, a retired math teacher, …").
        people = [(a.start, party) for a in found for party in a.parties if party.kind == "person"]
        people += [
            (sentence.start + m.start, Party(self.full_names.get(m.name.split()[-1], m.name), "person"))
            for m in find_people(sentence.text)
        ]
        if people:
            self.last_person = max(people, key=lambda item: item[0])[1]
        return found

    def sentence(self, sentence: Segment, paragraph: _Paragraph, attributions: list[Attribution],
                 quoted: bool = False) -> None:
        named = self.mentions_in(sentence.start, sentence.end)
        if skip_reason(sentence.text) is not None:
            return
        if not named:
            lowered = Lowered(sentence.text)
            if any(could_match(r.words, lowered) and r.pattern.search(sentence.text) for r in GENERIC_RULES):
                return
        masked = _masked(sentence, attributions)
        kind = classify_claim_type(masked)
        # An outcome with a population or a number ("In mice, tumors are said to shrink by
        # 60 to 80 percent") is about the article's therapy even when it names none.
        about = (
            bool(named)
            or bool(_ANAPHOR.search(sentence.text))
            or paragraph.about
            or find_population(masked) is not None
            or bool(find_quantities(masked))
            or bool(_THERAPY_WORDS.search(masked))
        )
        if kind is None and quoted and attributions and about and not _FEELING.search(masked):
            # A named speaker's quoted view in a story about a therapy, with no cue word
            # ("This is huge for the whole field, and for cancer patients," said John Bell).
            kind = QUOTED_VIEW
        if kind is None and named and _ENDS_SENTENCE.search(sentence.text):
            # A sentence that names a therapy asserts something about it, cue word or not
            # ("But T-VEC has had two key genes removed."); a heading (no final stop) does not.
            kind = NAMED_THERAPY
        if kind is None or (kind.claim_type != "absence-of-evidence" and not about):
            if attributions and kind is None:
                paragraph.carried = attributions[0]
            paragraph.about = paragraph.about or bool(named)
            return
        paragraph.about = True
        # "Approved by the FDA on Tuesday for treating melanoma, the virus … is a modified …":
        # an opening participle clause of another type than the rest is a claim of its own,
        # and the sentence takes the type of the rest.
        participle = _PARTICIPLE.match(sentence.text)
        participle_type = None
        if participle is not None:
            participle_type = classify_claim_type(masked[: participle.end(1)])
            rest = classify_claim_type(masked[participle.end(1):])
            if participle_type is None or rest is None or rest.claim_type == participle_type.claim_type:
                participle_type = None
            else:
                kind = rest
        own = attributions[0] if attributions else None
        attribution, carried = (own, False) if own else (paragraph.carried, True)
        parts = split_coordinated(self.text, sentence)
        part_types = [classify_claim_type(_masked(p, attributions)) for p in parts]
        if len(parts) > 1 and all(t is not None for t in part_types):
            inherited: list[Marker] = []
            for part, part_type in zip(parts, part_types, strict=True):
                assert part_type is not None
                hedges = _markers(HEDGE_RULES, part)
                self.emit(part, sentence, part_type.claim_type,
                          ("clause:coordination", part_type.rule),
                          _attribution_of_part(part, sentence, attribution, carried), carried,
                          extra_hedges=inherited)
                inherited = inherited + hedges
        else:
            self.emit(sentence, sentence, kind.claim_type, ("sentence", kind.rule),
                      attribution, carried)
        for match in _RELATIVE.finditer(sentence.text):
            clause = Segment(sentence.start + match.start(1), sentence.start + match.end(1),
                             match.group(1))
            clause_type = classify_claim_type(clause.text)
            if clause_type is not None and clause_type.claim_type != kind.claim_type and (
                clause_type.claim_type in {"safety", "efficacy"}
            ):
                self.emit(clause, sentence, clause_type.claim_type,
                          ("clause:relative", clause_type.rule), attribution, carried)
        if participle is not None and participle_type is not None:
            clause = Segment(sentence.start, sentence.start + participle.end(1), participle.group(1))
            self.emit(clause, sentence, participle_type.claim_type,
                      ("clause:participle", participle_type.rule), attribution, carried)

    def emit(
        self,
        span: Segment,
        sentence: Segment,
        claim_type: str,
        rules: tuple[str, ...],
        attribution: Attribution | None,
        carried: bool,
        extra_hedges: list[Marker] | None = None,
    ) -> None:
        hedges = [m for m in extra_hedges or []] + _markers(HEDGE_RULES, span)
        hypes = _markers(HYPE_RULES, span)
        quantities = find_quantities(span.text, span.start)
        quantities += [
            q for q in _total_as_hundred(span)
            if all(q.end <= o.start or q.start >= o.end for o in quantities)
        ]
        population = find_population(span.text) or find_population(sentence.text)
        indication = find_indication(span.text) or find_indication(sentence.text)
        therapies = self.mentions_in(span.start, span.end) or self.mentions_in(
            sentence.start, sentence.end
        )
        all_rules = list(rules)
        if not therapies:
            if self.main is None:
                return
            known = self.main in self.index.labels
            therapies = (TherapyMention(self.main, span.start, span.start, known, "therapy:main"),)
        all_rules += sorted({m.rule for m in therapies})
        all_rules += [q.rule for q in quantities] + [m.rule for m in hedges + hypes]
        if population is not None:
            all_rules.append(population[1])
        if attribution is not None:
            all_rules.append(attribution.rule + ("+carried" if carried else ""))
        self.claims.append(
            ExtractedClaim(
                start=span.start,
                end=span.end,
                exact=span.text,
                prefix=self.text[max(0, span.start - CONTEXT_CHARS) : span.start],
                suffix=self.text[span.end : span.end + CONTEXT_CHARS],
                claim_type=claim_type,
                therapies=therapies,
                population=population[0] if population else None,
                indication=indication,
                quantities=tuple(sorted(quantities, key=lambda q: q.start)),
                hedges=tuple(dict.fromkeys(m.text.lower() for m in hedges)),
                hypes=tuple(dict.fromkeys(m.text.lower() for m in hypes)),
                attribution=attribution,
                rules=tuple(dict.fromkeys(all_rules)),
            )
        )


def extract_claims(
    text: str,
    known_therapies: Mapping[str, Iterable[str]] | None = None,
    *,
    title: str = "",
) -> Extraction:
    """Extract every claim about a therapy from ``text``.

    :param text: the article's text; every span returned indexes into it.
    :param known_therapies: therapy label -> synonyms, of the therapies the graph knows.
    :param title: the article's title, which helps pick the therapy it is mainly about.
    :returns: the claims, the therapies named (known or proposed) and any warnings.
    """
    language = detect_language(text)
    if language not in {"en", "und"}:
        return Extraction(text, language, (), (), None, (
            f"the text looks like language {language!r}, not English; it is stored as a "
            "source, but no claims were extracted",
        ))
    extractor = _Extractor(text, TherapyIndex(known_therapies), title)
    extractor.run()
    warnings = []
    if extractor.main is None and not extractor.claims:
        warnings.append("no therapy is named in the text; no claims were extracted")
    return Extraction(text, language, tuple(extractor.claims), tuple(extractor.mentions),
                      extractor.main, tuple(warnings))

