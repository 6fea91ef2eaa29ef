"""What the theme's message catalogs cost a build.

Run: .venv/bin/python benchmarks/bench_i18n.py [--repeats 7] [--source .]

1. Loading, in fresh interpreters (median of `--repeats`): importing
   `builder.text.i18n` with Babel's catalog parser and Jinja's i18n extension
   after what a build imports anyway, then reading the site language's .po file. The modules'
   bytecode is cached (in a temporary PYTHONPYCACHEPREFIX, after one warm-up
   run), as an installed package has it; this machine's PYTHONDONTWRITEBYTECODE
   would otherwise add compiling the module's source to every run.
2. Looking texts up while building the site once (`--jobs 1`, no cache): the
   time spent in `Messages.gettext`/`ngettext`/`pgettext` calls, measured around
   each call, with the number of calls. Jinja's formatting of the result is
   part of rendering and would happen for a literal string too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOAD = """
import time
import builder.content.config, builder.content.dates, jinja2, babel.core   # a build imports these anyway
babel.core.Locale.parse("de_DE").date_formats
started = time.perf_counter()
from builder.text.i18n import Messages
import jinja2.ext   # the templates' i18n extension
imported = time.perf_counter()
Messages({language!r})
done = time.perf_counter()
print((imported - started) * 1000, (done - imported) * 1000)
"""


def loading(language: str, repeats: int, pycache: str) -> tuple[float, float]:
    """Median milliseconds of importing the module and of reading one catalog, each in a fresh process."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": pycache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    imports, reads = [], []
    for run in range(repeats + 1):
        out = subprocess.run([sys.executable, "-c", LOAD.format(language=language)], cwd=ROOT, check=True,
                             capture_output=True, text=True, env=env).stdout.split()
        if run:   # the first run writes the bytecode
            imports.append(float(out[0]))
            reads.append(float(out[1]))
    return statistics.median(imports), statistics.median(reads)


def lookups(source: Path) -> tuple[int, float, float]:
    """Calls to the catalog and the seconds they took while building `source` once; and the build's seconds."""
    from builder.pipeline.build import BuildOptions, build
    from builder.text import i18n

    calls, spent = [0], [0.0]
    for name in ("gettext", "ngettext", "pgettext", "npgettext"):
        original = getattr(i18n.Messages, name)

        def timed(self, *args, _original=original):   # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return _original(self, *args)
            finally:
                spent[0] += time.perf_counter() - started
                calls[0] += 1
        setattr(i18n.Messages, name, timed)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = build(BuildOptions(source=source, destination=Path(tmp) / "site", cache=False, jobs=1))
        seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"the build of {source} failed")
    return calls[0], spent[0], seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--source", type=Path, default=ROOT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as pycache:
        for language in ("de", "en"):
            imported, read = loading(language, args.repeats, pycache)
            print(f"{language}: import {imported:.1f} ms, read the catalog {read:.1f} ms "
                  f"(medians of {args.repeats} fresh processes)")
    calls, spent, seconds = lookups(args.source)
    print(f"build of {args.source}: {calls} lookups took {spent * 1000:.1f} ms of a {seconds:.2f} s build")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
