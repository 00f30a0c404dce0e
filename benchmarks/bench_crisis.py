"""How well the shipped triggers hear crisis, and how fast.

    python -m benchmarks.bench_crisis [--misses]

Recall: the share of phrasings that must be heard which raise the alarm (a trigger with
`during_case`, the ones that reach a person urgently), per language; false alarms: the share of
everyday phrases that raise it. Two sets: the development set the triggers were written against
(tests/data/crisis_phrases.yaml) and a held-out set written separately and never tuned on
(benchmarks/data/crisis_heldout.yaml).

Targets (issue 10): at least 90% heard in every language of the held-out set, every help word
leads to a person, at most 1 false alarm in 15 everyday phrases (6.7%); all triggers on a
4096-character message in well under a millisecond on average.

`--misses` prints what the development set misses, to improve the triggers; the held-out set's
misses are not printed, so that it stays held out.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from dialogs import Content, load_content
from dialogs.model import ActionKind

ROOT = Path(__file__).resolve().parents[1]
DEVELOPMENT = ROOT / "tests" / "data" / "crisis_phrases.yaml"
HELD_OUT = ROOT / "benchmarks" / "data" / "crisis_heldout.yaml"
LETTERS = ROOT / "benchmarks" / "data" / "long_letters.yaml"
LONG = 4096
TIERS = ("crisis", "unclear", "violence", "help")


def phrases(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def leads_to_a_person(content: Content, text: str) -> bool:
    """The trigger this text sets off asks for a person, at once or one tap later."""
    trigger = content.heard(text)
    if trigger is None:
        return False
    action = trigger.target.action
    if action is not None and action.kind is ActionKind.ASK_PERSON:
        return True
    step = content.find(trigger.target.to) if trigger.target.to else None
    return step is not None and any(
        c.target.action is not None and c.target.action.kind is ActionKind.ASK_PERSON
        for c in step.choices
    )


def measure(content: Content, data: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per language: recall per tier and overall, help words to a person, false alarms."""
    figures: dict[str, dict[str, float]] = {}
    for locale, tiers in data["heard"].items():
        row: dict[str, float] = {}
        heard = total = 0
        for tier in TIERS:
            texts = tiers.get(tier, [])
            hits = sum(content.alarm(t) is not None for t in texts)
            row[tier] = hits / len(texts) if texts else 1.0
            heard += hits
            total += len(texts)
        row["heard"] = heard / total
        helps = tiers.get("help", [])
        row["help_to_person"] = (
            sum(leads_to_a_person(content, t) for t in helps) / len(helps) if helps else 1.0
        )
        quiet = data["quiet"].get(locale, [])
        row["false_alarms"] = sum(content.alarm(t) is not None for t in quiet) / len(quiet)
        row["count"] = total + len(quiet)
        figures[locale] = row
    return figures


def misses(content: Content, data: dict[str, Any]) -> list[str]:
    lines = []
    for locale, tiers in data["heard"].items():
        for tier in TIERS:
            lines += [
                f"missed {locale} {tier}: {t}" for t in tiers.get(tier, []) if not content.alarm(t)
            ]
        lines += [
            f"false alarm {locale}: {t} ({content.alarm(t)})"
            for t in data["quiet"].get(locale, [])
            if content.alarm(t)
        ]
    return lines


def long_messages(content: Content, data: dict[str, Any], count: int) -> list[str]:
    """4096-character letters, as a person might write: everyday sentences in one language with
    a sentence of distress among them (the development set's phrases)."""
    rng = random.Random(7)
    messages = []
    for index in range(count):
        locale = list(content.languages)[index % len(content.languages)]
        quiet = list(data["quiet"][locale])
        heard = [t for tier in data["heard"][locale].values() for t in tier]
        sentences: list[str] = []
        while sum(len(s) + 2 for s in sentences) < LONG:
            sentences.append(rng.choice(heard) if rng.random() < 0.05 else rng.choice(quiet))
        messages.append(". ".join(sentences)[:LONG])
    return messages


def typical_messages() -> list[str]:
    """Long messages as people write them after release (benchmarks/data/long_letters.yaml):
    documents, work, family, worry and hope; no crisis."""
    data = phrases(LETTERS)
    return [letter[:LONG] for letters in data.values() for letter in letters]


def prose_messages(content: Content, count: int) -> list[str]:
    """4096 characters of the bot's own texts in one language: the worst case, since they speak
    of crisis, help and volunteers on every line."""
    rng = random.Random(7)
    messages = []
    for index in range(count):
        locale = list(content.languages)[index % len(content.languages)]
        prose = [
            content.renderer.text(step.text, locale)
            for flow in content.flows.values()
            for step in flow.steps.values()
        ]
        rng.shuffle(prose)
        messages.append(" ".join(prose)[:LONG])
    return messages


def time_hearing(content: Content, messages: list[str], rounds: int = 5) -> float:
    """Mean seconds per message, median over rounds: every trigger tried, as for every message
    the bot receives (the first heard wins)."""
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for message in messages:
            content.heard(message)
        per_round.append((time.perf_counter() - start) / len(messages))
    return statistics.median(per_round)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print the development set's misses")
    args = parser.parse_args()
    result = load_content(ROOT / "content")
    if result.content is None:
        raise SystemExit(f"content has errors: {result.errors[:3]}")
    content = result.content
    ok = True
    for name, path in (("development", DEVELOPMENT), ("held-out", HELD_OUT)):
        data = phrases(path)
        print(f"{name} set ({path.relative_to(ROOT)}):")
        for locale, row in measure(content, data).items():
            tiers = "  ".join(f"{t} {row[t]:.0%}" for t in TIERS)
            print(
                f"  {locale}: heard {row['heard']:.1%} ({tiers}); help words to a person "
                f"{row['help_to_person']:.0%}; false alarms {row['false_alarms']:.1%}; "
                f"{row['count']:.0f} phrases"
            )
            if name == "held-out":
                ok &= row["heard"] >= 0.9 and row["help_to_person"] == 1.0
                ok &= row["false_alarms"] <= 1 / 15
        if args.misses and name == "development":
            print("\n".join(f"    {line}" for line in misses(content, data)))
    content.hearing.prepare()  # as the bot does when it starts
    typical = typical_messages() * 7
    baseline = time_hearing(content, [m[:200] for m in typical])
    seconds = time_hearing(content, typical)
    letters = time_hearing(content, long_messages(content, phrases(DEVELOPMENT), 60))
    worst = time_hearing(content, prose_messages(content, 60))
    print(
        f"all triggers on a long message as people write them (up to {LONG} characters): "
        f"{seconds * 1e6:.0f} µs on average, {seconds / baseline:.1f}x a 200-character one "
        f"({baseline * 1e6:.0f} µs); target well under 1000 µs"
    )
    print(
        f"  harder: a letter of near misses {letters * 1e6:.0f} µs "
        f"({letters / baseline:.1f}x); the bot's own crisis-laden texts {worst * 1e6:.0f} µs "
        f"({worst / baseline:.1f}x)"
    )
    ok &= seconds < 0.001
    print("targets met" if ok else "TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
