"""Compare the output of two versions of the builder, byte for byte.

Run: .venv/bin/python benchmarks/compare_builds.py [REV] [--articles 1000 --terms 300]

Builds the demo site and a benchmark corpus (`benchmarks/corpus.py`) once with
the builder at git revision REV (default HEAD, checked out into a temporary
folder) and once with the working tree, then lists every file that exists in
only one output or differs between them. Exit code 0 when both outputs are
identical, 1 otherwise. Refactorings that promise "same output" are checked
with it.
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import generate  # noqa: E402


def checkout(rev: str, dest: Path) -> None:
    """The tree of `rev` in `dest` (no .git): `git archive` keeps the working tree untouched."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)


def build(code: Path, source: Path, dest: Path) -> None:
    """Build `source` into `dest` with the builder package found in `code`."""
    result = subprocess.run([sys.executable, "-m", "builder", "build", "--source", str(source),
                             "--destination", str(dest), "--no-cache"],
                            cwd=code, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"build of {source} with {code} failed:\n{result.stdout}{result.stderr}")


def differences(left: Path, right: Path) -> list[str]:
    """Relative paths that exist on one side only or whose bytes differ."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        found.extend(f"only in before: {prefix}{name}" for name in cmp.left_only)
        found.extend(f"only in after: {prefix}{name}" for name in cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(f"differs: {prefix}{name}" for name in mismatch + errors)
        for name, sub in sorted(cmp.subdirs.items()):
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", nargs="?", default="HEAD")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--terms", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="compare-builds-") as tmp:
        work = Path(tmp)
        before = work / "before"
        before.mkdir()
        checkout(args.rev, before)
        corpus = work / "corpus"
        generate(corpus, args.articles, args.terms)
        failed = False
        for name, old_source, new_source in [("demo", before, ROOT), ("corpus", corpus, corpus)]:
            build(before, old_source, work / f"{name}-before")
            build(ROOT, new_source, work / f"{name}-after")
            diff = differences(work / f"{name}-before", work / f"{name}-after")
            files = sum(1 for p in (work / f"{name}-after").rglob("*") if p.is_file())
            print(f"{name}: {files} files, {len(diff)} differ" + "".join(f"\n  {d}" for d in diff[:20]))
            failed = failed or bool(diff)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
