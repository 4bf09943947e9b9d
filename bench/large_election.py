"""A large made-up election for the benchmarks: 40 statements, 28 parties, long reasons.

Deterministic (a seeded generator): the same files on every run, so figures compare.
Every party has a reason of 300-600 characters for every statement, in English and
Georgian, about the length real parties write. Not a demo: written to a temporary folder
by the bench that needs it and loaded there.

    python bench/large_election.py DIR   # writes DIR/questionnaire.yaml, DIR/parties.yaml
"""

import datetime
import random
import sys
from pathlib import Path

import yaml

STATEMENTS = 40
PARTIES = 28
SCALE = ["disagree-strongly", "disagree", "neutral", "agree", "agree-strongly"]
_LABELS = {
    "disagree-strongly": ("Strongly disagree", "სრულიად არ ვეთანხმები"),
    "disagree": ("Disagree", "არ ვეთანხმები"),
    "neutral": ("Neutral", "ნეიტრალური"),
    "agree": ("Agree", "ვეთანხმები"),
    "agree-strongly": ("Strongly agree", "სრულიად ვეთანხმები"),
}
_THEMES = {
    "economy": ("Economy", "ეკონომიკა"),
    "social": ("Social policy", "სოციალური პოლიტიკა"),
    "city": ("The city", "ქალაქი"),
    "governance": ("Open government", "ღია მმართველობა"),
}
_EN_PROSE = (
    "the municipality should fund more public transport, repair rural roads, publish every "
    "contract, support small farmers, protect the river banks, build kindergartens, lower "
    "local fees, train teachers, open the council sessions, plant trees along the streets, "
    "invest in tourism, help displaced families, keep the markets clean and safe, and ask "
    "residents before large projects begin"
)
_KA_PROSE = (
    "მუნიციპალიტეტმა უნდა დააფინანსოს საზოგადოებრივი ტრანსპორტი შეაკეთოს სოფლის გზები "
    "გამოაქვეყნოს ყველა ხელშეკრულება მხარი დაუჭიროს მცირე ფერმერებს დაიცვას მდინარის "
    "ნაპირები ააშენოს საბავშვო ბაღები შეამციროს ადგილობრივი მოსაკრებლები გადაამზადოს "
    "მასწავლებლები გახსნას საკრებულოს სხდომები დარგოს ხეები ქუჩებში ჩადოს ტურიზმში "
    "დაეხმაროს დევნილ ოჯახებს და ჰკითხოს მაცხოვრებლებს დიდი პროექტების დაწყებამდე"
)
_EN, _KA = _EN_PROSE.split(), _KA_PROSE.split()


def _text(rng: random.Random, words: list[str], low: int, high: int) -> str:
    """Sentences of made-up words, between `low` and `high` characters long."""
    target = rng.randint(low, high)
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < target:
        picked = [rng.choice(words) for _ in range(rng.randint(8, 16))]
        sentences.append(" ".join(picked).capitalize() + ".")
    return " ".join(sentences)[:high].rstrip()


def questionnaire(rng: random.Random) -> dict:
    themes = list(_THEMES)
    return {
        "election": "large",
        "title": {"en": "A large benchmark election", "ka": "დიდი სატესტო არჩევნები"},
        "languages": ["ka", "en"],
        "date": datetime.date(2025, 10, 4),
        "scale": [{"id": o, "label": {"en": _LABELS[o][0], "ka": _LABELS[o][1]}} for o in SCALE],
        "themes": [{"id": t, "label": {"en": en, "ka": ka}} for t, (en, ka) in _THEMES.items()],
        "statements": [
            {
                "id": f"s{i:02d}",
                "theme": themes[i % len(themes)],
                "text": {"en": _text(rng, _EN, 90, 180), "ka": _text(rng, _KA, 90, 180)},
                "info": {"en": _text(rng, _EN, 150, 300), "ka": _text(rng, _KA, 150, 300)},
            }
            for i in range(1, STATEMENTS + 1)
        ],
    }


def parties(rng: random.Random, statements: list[dict]) -> dict:
    entities = []
    for p in range(1, PARTIES + 1):
        entities.append(
            {
                "id": f"party-{p:02d}",
                "kind": "party",
                "fictional": True,
                "name": {"en": f"Party number {p}", "ka": f"პარტია ნომერი {p}"},
                "short": {"en": f"P{p}", "ka": f"პ{p}"},
                "color": f"#{rng.randrange(0x1000000):06x}",
                "description": {"en": _text(rng, _EN, 150, 300), "ka": _text(rng, _KA, 150, 300)},
                "positions": {
                    s["id"]: {
                        "answer": rng.choice(SCALE),
                        "justification": {
                            "en": _text(rng, _EN, 300, 600),
                            "ka": _text(rng, _KA, 300, 600),
                        },
                    }
                    for s in statements
                },
            }
        )
    return {"election": "large", "entities": entities}


def write(directory: Path) -> list[Path]:
    """Write the questionnaire and the parties into `directory`; return both files."""
    rng = random.Random(38)
    q = questionnaire(rng)
    files = [directory / "questionnaire.yaml", directory / "parties.yaml"]
    directory.mkdir(parents=True, exist_ok=True)
    for path, data in zip(files, [q, parties(rng, q["statements"])], strict=True):
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return files


if __name__ == "__main__":
    print(*write(Path(sys.argv[1])))
