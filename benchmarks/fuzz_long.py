"""Long fuzzing run: the properties of tests/test_fuzz.py with many more examples.

Run: .venv/bin/python benchmarks/fuzz_long.py [--examples 2000] [--seed N] [--runs 3]

Each run draws `--examples` sites (and as many raw HTML fragments) with
Hypothesis and checks every invariant of tests/test_fuzz.py: the build returns
a site or errors that name a file and a line, pages parse as HTML without an
error, annotations are forms of their terms, sanitised raw HTML carries no
handler or script URL, front matter gives data or one error inside the
file. A failure prints Hypothesis's shrunk example and exits 1.

Prints, per property, the median over the runs of: seconds, examples per
second, and for builds the share that succeeded and the annotations checked.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_fuzz  # noqa: E402


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                    suppress_health_check=list(HealthCheck))


def run_builds(examples: int, run_seed: int) -> tuple[float, Counter[str]]:
    counts: Counter[str] = Counter()

    @seed(run_seed)
    @_settings(examples)
    @given(test_fuzz.sites())
    def prop(site: test_fuzz.Site) -> None:
        built, annotations = test_fuzz.check_build(site)
        counts["examples"] += 1
        counts["ok" if built else "failed"] += 1
        counts["annotations"] += annotations

    started = time.perf_counter()
    prop()
    return time.perf_counter() - started, counts


def run_sanitiser(examples: int, run_seed: int) -> tuple[float, Counter[str]]:
    counts: Counter[str] = Counter()
    fragments = st.lists(st.one_of(st.sampled_from(test_fuzz.HTML_PIECES), st.text(max_size=5)),
                         max_size=60).map("".join)

    @seed(run_seed)
    @_settings(examples)
    @given(fragments)
    def prop(source: str) -> None:
        test_fuzz.check_sanitized(source)
        counts["examples"] += 1

    started = time.perf_counter()
    prop()
    return time.perf_counter() - started, counts


def run_front_matter(examples: int, run_seed: int) -> tuple[float, Counter[str]]:
    counts: Counter[str] = Counter()
    texts = st.lists(st.one_of(st.sampled_from(test_fuzz.YAML_PIECES), st.text(max_size=4)), max_size=60).map(
        lambda parts: "---\n" + "".join(parts) + "\n---\nText\n")

    @seed(run_seed)
    @_settings(examples)
    @given(texts)
    def prop(text: str) -> None:
        test_fuzz.check_front_matter(text)
        counts["examples"] += 1

    started = time.perf_counter()
    prop()
    return time.perf_counter() - started, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20220126)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for name, runner in (("build", run_builds), ("sanitiser", run_sanitiser), ("front matter", run_front_matter)):
        seconds: list[float] = []
        rates: list[float] = []
        totals: list[Counter[str]] = []
        for number in range(args.runs):
            try:
                elapsed, counts = runner(args.examples, args.seed + number)
            except Exception as exc:
                print(f"{name}: property FAILED in run {number + 1}: {type(exc).__name__}: {exc}")
                for note in getattr(exc, "__notes__", ()):  # Hypothesis's falsifying example
                    print(note)
                return 1
            seconds.append(elapsed)
            rates.append(counts["examples"] / elapsed if elapsed else 0.0)
            totals.append(counts)
        line = (f"{name:12} runs={args.runs} examples/run={args.examples} "
                f"median {statistics.median(seconds):.1f} s, {statistics.median(rates):.1f} examples/s")
        if name == "build":
            ok_share = statistics.median(c["ok"] / max(1, c["examples"]) for c in totals)
            annotations = statistics.median(c["annotations"] for c in totals)
            line += f", built ok {ok_share:.0%}, annotations checked {annotations:.0f}"
        print(line)
    print("all properties held")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
