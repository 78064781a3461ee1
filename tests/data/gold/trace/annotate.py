"""Write the trace gold files: annotations typed from reading each story, offsets computed here.

Each study's ``quotes`` and each voice's ``quote`` are copied verbatim from the story's text;
``find_span`` locates them (``occurrence`` when a quote repeats), so no offset is counted by
hand. Run from the repository root: ``python tests/data/gold/trace/annotate.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from oncoclaims.reference import find_span

__all__ = ["ANNOTATOR", "GOLD", "main"]

ANNOTATOR = (
    "oncoclaims trace helper, by reading each story, following docs/trace.md (Gold annotations); "
    "annotated before any trace rule was written"
)
HERE = Path(__file__).parent


def _s(key, venue, date, people, institutions, funders, level, quotes, identifiers=(), design=None):
    return {
        "key": key,
        "venue": venue,
        "date": date,
        "people": list(people),
        "institutions": list(institutions),
        "funders": list(funders),
        "identifiers": list(identifiers),
        "design": design,
        "evidence_level": level,
        "quotes": list(quotes),
    }


def _v(name, role, independent, reason, affiliations=(), quote=None, occurrence=1):
    return {
        "name": name,
        "quote": quote or name,
        "occurrence": occurrence,
        "affiliations": list(affiliations),
        "role": role,
        "independent": independent,
        "reason": reason,
    }


GOLD: dict[str, dict] = {
    "news_reviews_00027": {
        "split": "tuned",
        "studies": [
            _s(
                "her2-dc-vaccine-phase1-2018",
                ["Fourth CRI-CIMT-EATI-AACR International Cancer Immunotherapy Conference"],
                "Sept. 30-Oct. 3",
                ["Jay A. Berzofsky"],
                [
                    "National Cancer Institute",
                    "Center for Cancer Research",
                    "National Institutes of Health",
                ],
                ["National Cancer Institute"],
                "level-uncontrolled-human",
                [
                    "phase I clinical trial presented at the Fourth CRI-CIMT-EATI-AACR International Cancer Immunotherapy Conference",
                    "This study was supported by intramural funds from the National Cancer Institute",
                ],
                design="phase-1",
            ),
            _s(
                "her2-dc-vaccine-preclinical",
                ["Cancer Research"],
                None,
                [],
                [],
                [],
                "level-animal",
                [
                    "Preclinical studies, which were previously published in the AACR journal Cancer Research"
                ],
                design="animal",
            ),
        ],
        "voices": [
            _v(
                "Jay A. Berzofsky",
                "study-author",
                False,
                "leads the study; chief of the Vaccine Branch at the National Cancer Institute, which funded it",
                [
                    "Vaccine Branch",
                    "Center for Cancer Research",
                    "National Cancer Institute",
                    "National Institutes of Health",
                ],
            ),
        ],
    },
    "news_reviews_00033": {
        "split": "tuned",
        "studies": [
            _s(
                "zika-glioblastoma-mbio-2018",
                ["mBio"],
                "this week",
                ["Pei-Yong Shi", "Jianghong Man", "Cheng-Feng Qin"],
                [
                    "University of Texas Medical Branch",
                    "National Center of Biomedical Analysis",
                    "Chinese Academy of Military Medical Sciences",
                ],
                [],
                "level-animal",
                ["In a study published this week in mBio", "transplanted into mice"],
                design="animal",
            ),
        ],
        "voices": [
            _v(
                "Pei-Yong Shi",
                "study-author",
                False,
                "co-led the study",
                ["University of Texas Medical Branch"],
            ),
            _v(
                "Jianghong Man",
                "study-author",
                False,
                "co-led the study",
                ["National Center of Biomedical Analysis"],
                quote="says Man",
            ),
            _v(
                "Cheng-Feng Qin",
                "study-author",
                False,
                "co-led the study",
                ["Chinese Academy of Military Medical Sciences"],
                quote="says Qin",
            ),
        ],
    },
    "story_reviews_00030": {
        "split": "tuned",
        "studies": [
            _s(
                "zika-glioblastoma-mbio-2018",
                ["mBio"],
                None,
                ["Pei-Yong Shi", "Cheng-Feng Qin"],
                [
                    "University of Texas Medical Branch",
                    "Chinese Academy of Military Medical Sciences",
                ],
                [],
                "level-animal",
                [
                    "author of the study published in the journal mBio",
                    "according to a study in mice",
                ],
                design="animal",
            ),
        ],
        "voices": [
            _v(
                "Pei-Yong Shi",
                "study-author",
                False,
                "author of the study",
                ["University of Texas Medical Branch"],
            ),
            _v(
                "Cheng-Feng Qin",
                "study-author",
                False,
                "worked on the study",
                ["Chinese Academy of Military Medical Sciences"],
            ),
            _v(
                "Harry Bulstrode",
                "not-involved",
                True,
                "was not involved in the study; no tie stated",
                ["Cancer Research U.K."],
            ),
        ],
    },
    "story_reviews_01026": {
        "split": "tuned",
        "studies": [
            _s(
                "penn-cll-car-t-2011",
                ["New England Journal of Medicine", "Science Translational Medicine"],
                "Wednesday",
                ["Michael Kalos"],
                ["University of Pennsylvania", "Perelman School of Medicine"],
                [],
                "level-uncontrolled-human",
                [
                    "published simultaneously Wednesday in the New England Journal of Medicine and Science Translational Medicine",
                    "Phase I trial",
                ],
                design="phase-1",
            ),
        ],
        "voices": [
            _v(
                "Michael Kalos",
                "study-author",
                False,
                "an investigator on the study",
                ["University of Pennsylvania", "Perelman School of Medicine"],
            ),
            _v(
                "Walter Urba",
                "not-involved",
                True,
                "was not involved in the study; no tie stated",
                ["Providence Cancer Center"],
            ),
        ],
    },
    "story_reviews_01027": {
        "split": "tuned",
        "studies": [
            _s(
                "penn-cll-car-t-2011",
                [],
                "Aug. 10, 2011",
                ["David L. Porter", "Carl H. June"],
                ["University of Pennsylvania"],
                [],
                "level-uncontrolled-human",
                ["a pilot study that was only meant to find out whether the treatment was safe"],
                design="early-human-trial",
            ),
        ],
        "voices": [
            _v(
                "David L. Porter",
                "study-author",
                False,
                "leads the study",
                ["University of Pennsylvania"],
            ),
            _v(
                "Jacque Galipeau",
                "not-involved",
                True,
                "was not involved in the study; no tie stated",
                ["Emory University Winship Cancer Center"],
            ),
            _v(
                "Carl H. June",
                "study-author",
                False,
                "leads the study",
                ["University of Pennsylvania"],
            ),
        ],
    },
    "story_reviews_00612": {
        "split": "tuned",
        "studies": [
            _s(
                "tvec-436-patient-trial",
                [],
                None,
                ["Kevin Harrington"],
                ["The Institute of Cancer Research"],
                [],
                "level-controlled",
                ["In a study of 436 patients with inoperable melanoma"],
                design="non-randomised-controlled",
            ),
        ],
        "voices": [
            _v(
                "Kevin Harrington",
                "study-author",
                False,
                "head of the trial",
                ["The Institute of Cancer Research"],
            ),
        ],
    },
    "story_reviews_00887": {
        "split": "tuned",
        "studies": [
            _s(
                "ae37-her2-vaccine-phase2-2012",
                ["annual meeting of the American Association for Cancer Research"],
                "on Monday",
                ["Diane Hale", "Elizabeth Mittendorf"],
                ["Brooke Army Medical Center", "University of Texas M.D. Anderson Cancer Center"],
                [],
                "level-randomised",
                [
                    "present results of the study on Monday at the annual meeting of the American Association for Cancer Research",
                    "The study is a phase 2 study",
                    "randomly assigned",
                ],
                design="randomised-controlled",
            ),
        ],
        "voices": [
            _v(
                "Diane Hale",
                "study-author",
                False,
                "researcher presenting the study",
                ["Brooke Army Medical Center"],
            ),
            _v(
                "Elizabeth Mittendorf",
                "study-author",
                False,
                "principal investigator on the trial",
                ["University of Texas M.D. Anderson Cancer Center"],
            ),
            _v(
                "Don Diamond",
                "unknown",
                None,
                "reviewed the findings, but the story does not say he was not involved",
                ["City of Hope Comprehensive Cancer Center"],
            ),
            _v(
                "American Cancer Society",
                "unknown",
                None,
                "paraphrased on background; no statement on involvement",
            ),
        ],
    },
    "story_reviews_00521": {
        "split": "tuned",
        "studies": [
            _s(
                "tvec-436-patient-trial",
                [],
                None,
                ["Howard Kaufman"],
                ["Rutgers Cancer Institute of New Jersey"],
                [],
                "level-controlled",
                ["In a trial of 436 patients with the disease"],
                design="non-randomised-controlled",
            ),
            _s(
                "tvec-ipilimumab-19-patients",
                [],
                None,
                ["Jason Chesney"],
                ["University of Louisville"],
                [],
                "level-uncontrolled-human",
                ["In one small study of 19 advanced melanoma patients"],
                design="early-human-trial",
            ),
        ],
        "voices": [
            _v(
                "John Bell",
                "unknown",
                None,
                "no statement on involvement",
                ["Ottawa Hospital Research Institute"],
            ),
            _v(
                "Robert Coffin",
                "developer",
                False,
                "created Imlygic at BioVex, the company he founded",
                ["BioVex"],
            ),
            _v(
                "Eric Schmidt",
                "unknown",
                None,
                "analyst; no statement on involvement",
                ["Cowen & Company"],
            ),
            _v(
                "Sue Bohlin",
                "participant",
                None,
                "a patient treated in the trial; no statement on ties",
            ),
            _v(
                "Howard Kaufman",
                "study-author",
                False,
                "a lead researcher on the trial",
                ["Rutgers Cancer Institute of New Jersey"],
            ),
            _v(
                "Antonio Chiocca",
                "unknown",
                None,
                "no statement on involvement",
                ["Brigham and Women’s Hospital"],
            ),
            _v(
                "Jason Chesney",
                "study-author",
                False,
                "involved in running the follow-up study",
                ["University of Louisville"],
            ),
            _v(
                "John O’Donnell",
                "participant",
                None,
                "a patient treated in the study; no statement on ties",
            ),
        ],
    },
    # Written before any change to the rules of this round (issue 14 part A), tuned on.
    "enteromix-article": {
        "split": "tuned",
        "article": "../../news/enteromix-article.txt",
        "format": "plain-text",
        "annotator": (
            "oncoclaims trace helper, by reading the story, following docs/trace.md (Gold annotations); "
            "annotated before the second round of trace rules (issue 14 part A) was written"
        ),
        "studies": [
            _s(
                "enteromix-russia",
                [],
                None,
                [],
                [],
                [],
                "level-uncontrolled-human",
                [
                    "only very early trials have been carried out in people, reportedly involving fewer than fifty volunteers",
                    "In mice, tumors are said to shrink by 60 to 80 percent",
                ],
                design="early-human-trial",
            ),
        ],
        "voices": [
            _v(
                "Russian government",
                "unknown",
                None,
                "presents the vaccine as national pride; the story states neither a tie nor independence",
                quote="Russian government",
            ),
        ],
    },
    # held out: never looked at the extractor's output on these while tuning
    "news_reviews_00311": {
        "split": "held-out",
        "studies": [
            _s(
                "p53mva-pembrolizumab-city-of-hope",
                [],
                None,
                ["Don J. Diamond", "Yuan Yuan"],
                ["City of Hope"],
                [],
                "level-uncontrolled-human",
                ["a combination of the p53 cancer vaccine and a drug"],
                design="case-report",
            ),
        ],
        "voices": [
            _v(
                "Yuan Yuan",
                "institution-member",
                False,
                "treated the patient at City of Hope, where the treatment is tested",
                ["City of Hope"],
            ),
            _v("Don J. Diamond", "developer", False, "developed the vaccine", ["City of Hope"]),
            _v("Susan Young", "participant", None, "the patient treated; no statement on ties"),
        ],
    },
    "story_reviews_00349": {
        "split": "held-out",
        "studies": [
            _s(
                "nci-cd22-car-t-trial",
                [],
                None,
                ["Terry Fry"],
                ["National Cancer Institute", "National Institutes of Health"],
                [],
                "level-uncontrolled-human",
                ["In this first-in-humans trial"],
                design="phase-1",
            ),
            _s(
                "seattle-childrens-car-t-trial",
                [],
                None,
                ["Rebecca Gardner"],
                ["Seattle Children’s"],
                [],
                "level-uncontrolled-human",
                ["She ran an early-stage trial using CAR T-cell therapy"],
                design="early-human-trial",
            ),
        ],
        "voices": [
            _v(
                "Bethany Christianson",
                "participant",
                None,
                "mother of a patient in the trial; no statement on ties",
            ),
            _v("Terry Fry", "study-author", False, "runs the trial", ["National Cancer Institute"]),
            _v(
                "Rebecca Gardner",
                "study-author",
                False,
                "ran the early-stage trial the story reports",
                ["Seattle Children’s"],
            ),
            _v(
                "Jay Christianson",
                "participant",
                None,
                "father of a patient in the trial; no statement on ties",
            ),
            _v(
                "Michael Jensen",
                "institution-member",
                False,
                "director at Seattle Children’s Research Institute, behind the Seattle trial",
                ["Seattle Children’s Research Institute"],
            ),
            _v(
                "Zane Esposito",
                "participant",
                None,
                "a patient in the Seattle trial; no statement on ties",
            ),
        ],
    },
    "story_reviews_00056": {
        "split": "held-out",
        "studies": [
            _s(
                "duke-poliovirus-glioblastoma-2018",
                [
                    "New England Journal of Medicine",
                    "22nd International Conference on Brain Tumor Research",
                ],
                "Tuesday",
                ["Darell Bigner", "Annick Desjardins"],
                [
                    "Duke University",
                    "Duke Cancer Institute",
                    "Preston Robert Tisch Brain Tumor Center",
                ],
                [],
                "level-uncontrolled-human",
                [
                    "published online Tuesday by the New England Journal of Medicine",
                    "the researchers treated 61 patients",
                ],
                design="early-human-trial",
            ),
        ],
        "voices": [
            _v(
                "Darell Bigner",
                "developer",
                False,
                "helping develop the treatment",
                ["Preston Robert Tisch Brain Tumor Center", "Duke Cancer Institute"],
            ),
            _v("Annick Desjardins", "study-author", False, "helped conduct the study", ["Duke"]),
            _v(
                "David Reardon",
                "institution-member",
                False,
                "used to work at Duke, the institution behind the study, though not involved in the new research",
                ["Dana-Farber Cancer Institute"],
            ),
            _v(
                "Mitchel Berger",
                "unknown",
                None,
                "no statement on involvement",
                ["University of California, San Francisco"],
            ),
        ],
    },
    "story_reviews_00205": {
        "split": "held-out",
        "studies": [
            _s(
                "wu-neoantigen-vaccine-nature-2017",
                ["Nature"],
                None,
                ["Catherine Wu"],
                [],
                [],
                "level-uncontrolled-human",
                [
                    "In two studies published in the journal Nature",
                    "scientists led by Catherine Wu",
                ],
                design="phase-1",
            ),
            _s(
                "sahin-rna-vaccine-nature-2017",
                ["Nature"],
                None,
                ["Ugur Sahin"],
                [],
                [],
                "level-uncontrolled-human",
                ["by Ugur Sahin and colleagues"],
                design="phase-1",
            ),
        ],
        "voices": [
            _v(
                "Cornelius Melief",
                "unknown",
                None,
                "wrote an accompanying News & Views article; the story does not say he was not involved",
                ["Leiden University Medical Center"],
            ),
            _v(
                "Elizabeth Williams",
                "unknown",
                None,
                "no statement on involvement",
                ["School of Biomedical Sciences at Queensland University of Technology"],
            ),
            _v(
                "Catherine Pickworth",
                "unknown",
                None,
                "no statement on involvement",
                ["Cancer Research UK"],
            ),
        ],
    },
}


def main() -> None:
    """Locate every quote in its story and write ``<story>.trace.gold.json`` beside this script."""
    for story, gold in GOLD.items():
        article = gold.pop("article", f"../../news/{story}.json")
        fmt = gold.pop("format", "news-fakehealth-json")
        raw = (HERE / article).read_text(encoding="utf-8")
        text = raw if fmt == "plain-text" else json.loads(raw)["text"]
        for study in gold["studies"]:
            study["spans"] = [list(find_span(text, q, 1)) for q in study["quotes"]]
        for voice in gold["voices"]:
            voice["span"] = list(find_span(text, voice["quote"], voice["occurrence"]))
        annotator = gold.pop("annotator", ANNOTATOR)
        out = {"article": article, "format": fmt, "annotator": annotator, **gold}
        (HERE / f"{story}.trace.gold.json").write_text(
            json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
