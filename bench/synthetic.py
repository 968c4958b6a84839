"""Synthetic issue files for benchmarks: plausible, valid, and the same bytes on every run.

The issues follow the format of the real `issues/2009-spring.yaml` (publication, issue, cover,
articles of sections with a Markdown body and protocols, contact, copyright). Their prose is
clinical-newsletter English put together from the word lists below by one `random.Random(seed)`,
so a given seed, size and count always writes byte-identical YAML, and the first N issues of a
longer run are the same files as those of a run of N. Nothing is fetched from the network.

Sizes, typeset in the screen edition on Letter paper (cover and back page included):
"small" about 4 pages, "medium" about 16, "large" about 80.

    python bench/synthetic.py FOLDER --count 20 --size small --seed 2009
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Size:
    """How much text one issue holds. Each article starts on a new page."""

    articles: int
    sections: tuple[int, int]
    """Fewest and most sections per article."""
    paragraphs: tuple[int, int]
    """Fewest and most paragraphs per section."""


SIZES = {
    "small": Size(articles=1, sections=(2, 2), paragraphs=(2, 3)),
    "medium": Size(articles=4, sections=(3, 4), paragraphs=(3, 4)),
    "large": Size(articles=17, sections=(4, 5), paragraphs=(3, 5)),
}

SEASONS = ("Spring", "Summer", "Fall", "Winter")
FIRST_YEAR = 2009
PUBLISHER = "The University of Texas MD Anderson Cancer Center"

DISEASES = {
    "AML": "acute myeloid leukemia",
    "ALL": "acute lymphoblastic leukemia",
    "APL": "acute promyelocytic leukemia",
    "CML": "chronic myeloid leukemia",
    "CLL": "chronic lymphocytic leukemia",
    "MDS": "myelodysplastic syndrome",
    "CMML": "chronic myelomonocytic leukemia",
    "HCL": "hairy cell leukemia",
}
AGENTS = {
    "tamibarotene": "synthetic retinoid",
    "clofarabine": "nucleoside analogue",
    "cytarabine": "nucleoside analogue",
    "decitabine": "hypomethylating agent",
    "azacitidine": "hypomethylating agent",
    "sorafenib": "FLT3 tyrosine kinase inhibitor",
    "midostaurin": "FLT3 tyrosine kinase inhibitor",
    "dasatinib": "BCR-ABL tyrosine kinase inhibitor",
    "nilotinib": "BCR-ABL tyrosine kinase inhibitor",
    "vorinostat": "histone deacetylase inhibitor",
    "panobinostat": "histone deacetylase inhibitor",
    "ruxolitinib": "JAK inhibitor",
    "ofatumumab": "monoclonal antibody",
    "inotuzumab ozogamicin": "antibody-drug conjugate",
    "bortezomib": "proteasome inhibitor",
    "lenalidomide": "immunomodulatory agent",
}
SETTINGS = (
    "newly diagnosed",
    "in first relapse",
    "refractory to prior therapy",
    "after two or more prior regimens",
    "aged 60 years or older",
    "not eligible for intensive chemotherapy",
    "with a FLT3 mutation",
    "with adverse cytogenetics",
)
PROTOCOL_STATES = ("relapsed", "refractory", "untreated", "newly diagnosed", "elderly")
RESPONSES = (
    "a complete remission",
    "a second complete remission",
    "a major molecular response",
    "transfusion independence",
    "a complete cytogenetic response",
    "no detectable minimal residual disease",
)
MEASURES = (
    "infection prophylaxis",
    "growth factor support",
    "early treatment of fever",
    "outpatient monitoring of blood counts",
    "nutritional support",
    "management of tumor lysis",
)
ADJECTIVES = ("encouraging", "promising", "durable", "favorable", "consistent")
TOPICS = (
    "Salvage Regimens",
    "Frontline Therapy",
    "Targeted Therapy",
    "Low-Intensity Regimens",
    "Supportive Care",
    "Molecular Monitoring",
    "Stem Cell Transplantation",
    "New Formulations",
    "Epigenetic Therapy",
    "Antibody Therapy",
)
SECTION_HEADINGS = (
    "Rationale",
    "Study design",
    "Early results",
    "Eligibility",
    "Other regimens",
    "Supportive care",
    "Referral",
)

SENTENCES = (
    "{Agent} is a {kind} that has been well tolerated in patients with {disease}.",
    "We are conducting a {phase} study of {agent} in patients with {abbr} {setting}.",
    "Early results are {adjective}, with several patients achieving {response}.",
    "The outcome of patients with {abbr} {setting} is guarded, and new approaches are needed.",
    "Combinations of {agent} with {other} are under investigation in {abbr}.",
    "The prognosis for patients {setting} is better when therapy achieves {response}.",
    "Current strategies aim to achieve {response} and to proceed to transplant when possible.",
    "Improvements in supportive care, such as {measure}, may contribute to a better outcome.",
    "Patients {setting} may be eligible for this protocol regardless of prior {agent}.",
    "The dose of {agent} is adjusted for blood counts after the first cycle.",
    "Responses have been seen in patients with {disease} {setting}.",
    "{Agent} is given by mouth, so most of the treatment can take place at home.",
    "A randomized comparison with {other} will follow if these responses are {adjective}.",
    "Laboratory studies at MDACC examine why some patients with {abbr} do not respond.",
    "Side effects have been mild and manageable, most often fatigue and low blood counts.",
    "New formulations of {agent} with better intracellular delivery are also being examined.",
)
LIST_ITEMS = (
    "a diagnosis of {disease}",
    "adequate kidney and liver function",
    "no active uncontrolled infection",
    "at least two weeks since prior {agent}",
    "a performance status of 0 to 2",
    "willingness to return for monthly visits",
)


def write_issues(folder: Path, count: int, size: str, seed: int = 2009) -> list[Path]:
    """Write COUNT issues of SIZE into FOLDER as synthetic-001.yaml, ...; return their paths.

    The names sort in the order the issues were written, so a batch builds them in that order.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(count)))
    paths = []
    for n in range(count):
        path = folder / f"synthetic-{n + 1:0{width}d}.yaml"
        issue = make_issue(rng, n, SIZES[size])
        path.write_text(dump(issue, f"Synthetic issue {n + 1} ({size}), seed {seed}."), "utf-8")
        paths.append(path)
    return paths


def make_issue(rng: random.Random, n: int, size: Size) -> dict[str, object]:
    """The Nth issue: its season and year follow from N, its text from RNG."""
    year = FIRST_YEAR + n // len(SEASONS)
    articles = [make_article(rng, year, size) for _ in range(size.articles)]
    return {
        "publication": {"title": "Leukemia Insights", "publisher": PUBLISHER},
        "issue": {"season": SEASONS[n % len(SEASONS)], "year": year, "language": "en"},
        "cover": {"headline": articles[0]["title"]},
        "articles": articles,
        "contact": {
            "text": "For information about these or any Leukemia protocol, please call "
            "any Leukemia physician."
        },
        "copyright": {"year": year, "holder": PUBLISHER},
    }


def make_article(rng: random.Random, year: int, size: Size) -> dict[str, object]:
    """An article: a title and as many sections as SIZE allows."""
    title = f"{rng.choice(TOPICS)} in {rng.choice(list(DISEASES))}"
    sections = [
        make_section(rng, year, rng.randint(*size.paragraphs))
        for _ in range(rng.randint(*size.sections))
    ]
    return {"title": title, "sections": sections}


def make_section(rng: random.Random, year: int, paragraphs: int) -> dict[str, object]:
    """A section: a heading, PARAGRAPHS of Markdown, and sometimes a list and protocols."""
    blocks = [paragraph(rng) for _ in range(paragraphs)]
    if rng.random() < 0.3:
        blocks.insert(1, "**Eligibility** requires:\n\n" + bullet_list(rng))
    section: dict[str, object] = {
        "heading": rng.choice((*SECTION_HEADINGS, *(d.capitalize() for d in DISEASES.values()))),
        "body": "\n\n".join(blocks) + "\n",
    }
    if rng.random() < 0.6:
        section["protocols"] = [protocol(rng, year) for _ in range(rng.randint(1, 2))]
    return section


def paragraph(rng: random.Random) -> str:
    """Four to seven sentences, wrapped at 72 columns like the real issue."""
    templates = rng.sample(SENTENCES, rng.randint(4, 7))  # no sentence twice in a paragraph
    text = " ".join(sentence(rng, template) for template in templates)
    return wrap(text, 72)


def bullet_list(rng: random.Random) -> str:
    """A Markdown list of three to five eligibility criteria."""
    items = rng.sample(LIST_ITEMS, rng.randint(3, 5))
    return "\n".join(f"- {sentence(rng, item)}" for item in items)


def sentence(rng: random.Random, template: str) -> str:
    """Fill TEMPLATE's slots with words drawn from RNG."""
    abbr = rng.choice(list(DISEASES))
    agent, other = rng.sample(list(AGENTS), 2)
    italic = f"*{agent}*" if rng.random() < 0.1 else agent
    return template.format(
        Agent=agent[0].upper() + agent[1:],
        agent=italic,
        other=other,
        kind=AGENTS[agent],
        abbr=abbr,
        disease=DISEASES[abbr],
        setting=rng.choice(SETTINGS),
        response=rng.choice(RESPONSES),
        measure=rng.choice(MEASURES),
        adjective=rng.choice(ADJECTIVES),
        phase=rng.choice(("Phase I", "Phase I/II", "Phase II", "randomized Phase III")),
    )


def protocol(rng: random.Random, year: int) -> dict[str, str]:
    """A protocol with an MDACC-style id such as 2007-0512."""
    agent = rng.choice(list(AGENTS))
    phase, state = rng.choice(("Phase I", "Phase II")), rng.choice(PROTOCOL_STATES)
    return {
        "id": f"{rng.randint(year - 4, year)}-{rng.randint(1, 999):04d}",
        "title": f"{phase} {agent} in {state} {rng.choice(list(DISEASES))}",
    }


def wrap(text: str, width: int) -> str:
    """Break TEXT into lines of at most WIDTH characters (words are never split)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


class _Dumper(yaml.SafeDumper):
    """Writes YAML as people write issues: lists indented, multi-line text as `body: |`."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump(issue: dict[str, object], comment: str) -> str:
    """ISSUE as YAML, headed by COMMENT, with a blank line between its top-level fields."""
    fields = [
        yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)
        for key, value in issue.items()
    ]
    return f"# {comment}\n" + "\n".join(fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the issue files")
    parser.add_argument("--count", type=int, default=20, help="issues to write (default: 20)")
    parser.add_argument("--size", choices=SIZES, default="small", help="(default: small)")
    parser.add_argument("--seed", type=int, default=2009, help="(default: 2009)")
    args = parser.parse_args()
    for path in write_issues(args.folder, args.count, args.size, args.seed):
        print(path)


if __name__ == "__main__":
    main()
