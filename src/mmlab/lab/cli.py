"""The ``mmlab`` command: run the study notebooks, manage the data cache."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mmlab.core.profiles import PROFILES

__all__ = ["build_parser", "main"]


def _run(args: argparse.Namespace) -> int:
    from mmlab.lab.runner import NotebookNotFoundError, resolve_notebooks, run_notebooks

    try:
        notebooks = resolve_notebooks(args.notebooks)
    except NotebookNotFoundError as exc:
        print(f"mmlab run: {exc}", file=sys.stderr)
        return 2
    report = run_notebooks(notebooks, profile=args.profile, output_dir=args.output)
    failed = [entry["name"] for entry in report["notebooks"] if entry["status"] != "ok"]
    print(f"report: {args.output / 'report.html'} ({len(notebooks) - len(failed)}/{len(notebooks)} ok)")
    if failed:
        print(f"mmlab run: failed notebooks: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _data_list(args: argparse.Namespace) -> int:
    from mmlab.core.cache import read_manifest
    from mmlab.core.config import data_dir, mirror_dir

    cache = data_dir()
    print(f"cache:  {cache}")
    print(f"mirror: {mirror_dir() or '(none: set MMLAB_DATA_MIRROR)'}")
    manifest = read_manifest()
    for relative, entry in sorted(manifest.items()):
        print(f"  {relative}  {entry['bytes'] / 2**20:.1f} MiB  from {entry['source']}")
    if not manifest:
        print("  (nothing downloaded yet)")
    return 0


def _data_fetch(args: argparse.Namespace) -> int:
    from mmlab.io.gwosc import locate_gwosc

    for detector in args.detectors:
        print(locate_gwosc(args.event, detector, duration=args.duration, sample_rate=args.sample_rate))
    return 0


def _data_verify(args: argparse.Namespace) -> int:
    from mmlab.core.cache import DataFileError, read_manifest, sha256sum
    from mmlab.core.config import data_dir
    from mmlab.io.gwosc import read_gwosc

    cache = data_dir()
    problems = 0
    for relative, entry in sorted(read_manifest().items()):
        path = cache / relative
        if not path.is_file():
            print(f"MISSING  {relative}")
            problems += 1
        elif sha256sum(path) != entry["sha256"]:
            print(f"CHANGED  {relative} (SHA-256 differs from the manifest)")
            problems += 1
        else:
            try:
                read_gwosc(path)
            except DataFileError as exc:
                print(f"CORRUPT  {relative}: {exc}")
                problems += 1
            else:
                print(f"ok       {relative}")
    print(f"{problems} problem(s) in {cache}")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``mmlab`` command."""
    parser = argparse.ArgumentParser(prog="mmlab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="execute study notebooks headlessly and write a report")
    run.add_argument("notebooks", nargs="*", help="notebook paths or names (default: every study notebook)")
    run.add_argument("--profile", choices=PROFILES, default="quick", help="data and training sizes (default: quick)")
    run.add_argument("--output", type=Path, default=Path("build"), help="output folder (default: build)")
    run.set_defaults(handler=_run)

    data = commands.add_parser("data", help="the local data cache and the offline mirror")
    actions = data.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="where the cache and mirror are, and what is cached").set_defaults(handler=_data_list)
    fetch = actions.add_parser("fetch", help="make GWOSC strain available (cache, mirror or download)")
    fetch.add_argument("event", help="event name (GW150914) or GPS time")
    fetch.add_argument("--detectors", nargs="+", default=["H1", "L1"], help="detectors (default: H1 L1)")
    fetch.add_argument("--duration", type=int, default=32, help="file length in s: 32 or 4096 (default: 32)")
    fetch.add_argument("--sample-rate", type=int, default=4096, help="4096 or 16384 Hz (default: 4096)")
    fetch.set_defaults(handler=_data_fetch)
    actions.add_parser("verify", help="check cached files against the manifest").set_defaults(handler=_data_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mmlab`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    if getattr(args, "event", None) is not None:
        try:
            args.event = float(args.event)
        except ValueError:
            pass  # an event name
    try:
        return args.handler(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"mmlab {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
