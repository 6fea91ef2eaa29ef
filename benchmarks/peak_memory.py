"""The peak memory of one command, summed over its processes, with a timeline of it (issue 23).

Run: .venv/bin/python benchmarks/peak_memory.py [--interval 2] [--log FILE] -- COMMAND [ARG ...]

Runs COMMAND and samples the RSS and PSS of it and its descendants (`run.py`'s sampler)
every --interval seconds until it exits; prints its wall time, the CPU seconds of its
processes and the peaks. --log writes one line a sample: seconds since the start, PSS MiB,
RSS MiB, processes. RSS counts the pages forked workers share with their parent once per
process; PSS shares them out, so its sum is what the command holds. The million-article build
in benchmarks/README.md was measured so.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import tree_memory  # noqa: E402

MIB = 1 << 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between samples")
    parser.add_argument("--log", type=Path, help="one line a sample: seconds, PSS MiB, RSS MiB, processes")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    log = args.log.open("w", encoding="utf-8") if args.log else None
    started = time.perf_counter()
    process = subprocess.Popen(command)
    peak_rss = peak_pss = 0
    while process.poll() is None:
        rss, pss, count = tree_memory(process.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        if log:
            log.write(f"{time.perf_counter() - started:.1f} {pss // MIB} {rss // MIB} {count}\n")
            log.flush()
        time.sleep(args.interval)
    wall = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"exit {process.returncode}: {wall:.1f} s wall, {used.ru_utime + used.ru_stime:.1f} CPU seconds, "
          f"peak PSS {peak_pss // MIB} MiB, peak RSS {peak_rss // MIB} MiB (summed over its processes)")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
