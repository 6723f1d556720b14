"""The ``mmlab`` command: run the study notebooks, manage the data cache."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from mmlab.core.profiles import PROFILES

__all__ = ["build_parser", "main"]


def _run(args: argparse.Namespace) -> int:
    from mmlab.core.cache import writable_folder
    from mmlab.lab.runner import NotebookNotFoundError, resolve_notebooks, run_notebooks

    try:
        notebooks = resolve_notebooks(args.notebooks)
    except NotebookNotFoundError as exc:
        print(f"mmlab run: {exc}", file=sys.stderr)
        return 2
    writable_folder(args.output, "--output")  # before minutes of work
    report = run_notebooks(notebooks, profile=args.profile, output_dir=args.output)
    if any(entry["status"] == "interrupted" for entry in report["notebooks"]):
        done = sum(entry["status"] == "ok" for entry in report["notebooks"])
        print(f"mmlab run: interrupted; {done} notebook(s) done, report in {args.output / 'report.html'}",
              file=sys.stderr)
        return 130
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


def _unreadable(path: Path) -> str | None:
    """Why :func:`~mmlab.io.gwosc.read_gwosc` rejects a cached file, or None if it reads."""
    from mmlab.core.cache import DataFileError
    from mmlab.io.gwosc import read_gwosc

    try:
        read_gwosc(path)
    except DataFileError as exc:
        return str(exc)
    return None


def _data_verify(args: argparse.Namespace) -> int:
    from mmlab.core.cache import read_manifest, sha256sum
    from mmlab.core.config import data_dir

    cache = data_dir()
    problems = 0
    manifest = read_manifest()
    # Files in the cache that the manifest does not list (copied in by hand, or left by an old version).
    for path in sorted((cache / "gwosc").glob("*.hdf5")) if (cache / "gwosc").is_dir() else ():
        relative = path.relative_to(cache).as_posix()
        if relative in manifest:
            continue
        problem = _unreadable(path)
        print(f"CORRUPT  {relative} (not in the manifest): {problem}" if problem
              else f"unlisted {relative} (reads, but not in the manifest)")
        problems += problem is not None
    for relative, entry in sorted(manifest.items()):
        path = cache / relative
        if not path.is_file():
            print(f"MISSING  {relative}")
            problems += 1
        elif sha256sum(path) != entry["sha256"]:
            print(f"CHANGED  {relative} (SHA-256 differs from the manifest)")
            problems += 1
        else:
            problem = _unreadable(path)
            print(f"CORRUPT  {relative}: {problem}" if problem else f"ok       {relative}")
            problems += problem is not None
    print(f"{problems} problem(s) in {cache}")
    return 1 if problems else 0


def _stream(args: argparse.Namespace) -> int:
    import json
    import time
    import warnings
    from dataclasses import replace

    from mmlab.core.cache import atomic_write
    from mmlab.core.strain import Strain
    from mmlab.stream.alerts import AlertSink
    from mmlab.stream.dashboard import counters_html
    from mmlab.stream.pipeline import StreamConfig, alert_threshold, build_searches, run_stream
    from mmlab.stream.sources import SimulatedSource, gwosc_replay

    detectors = tuple(d.strip() for d in args.detectors.split(",") if d.strip())
    config = StreamConfig(detectors=detectors)
    if args.alert_far is not None and args.source != "sim":
        print(f"mmlab stream: --alert-far sets the threshold from simulated design noise; the {args.source!r} "
              "source's detectors see other noise, so set it for --source sim only", file=sys.stderr)
        return 2
    if args.source == "sim":
        source = SimulatedSource(config.detectors, duration=args.duration, seed=args.seed)
        chunks, learn = source.chunks(), {d: source.learn(d).data for d in config.detectors}
    else:
        loops = max(1, round(args.duration / 32))
        chunks = gwosc_replay("GW150914", config.detectors, loops=loops)
        from mmlab.io.gwosc import fetch_gwosc

        learn = {d: fetch_gwosc("GW150914", d).data[:12 * 4096] for d in config.detectors}
    if args.alert_far is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)
            searches = build_searches(lambda d: Strain(learn[d], 0.0, config.sample_rate, d), config)
            threshold, _ = alert_threshold(searches, config, args.alert_far, seed=args.seed, progress=True)
        print(f"alert threshold: network SNR {threshold:.2f} for {args.alert_far:g} false alert"
              f"{'' if args.alert_far == 1 else 's'} a day (time slides of an hour of design noise)", file=sys.stderr)
        config = replace(config, alert_snr=threshold)
    sink = AlertSink(args.output)
    last = [0.0]

    def progress(report, lag: int = 0) -> None:
        if time.monotonic() - last[0] > 1.0:
            last[0] = time.monotonic()
            print("\r" + counters_html(report, lag).replace("<b>", "").replace("</b>", ""), end="", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # gaps are counted in the report
        if args.broker == "memory":
            searches = build_searches(lambda d: Strain(learn[d], 0.0, config.sample_rate, d), config)
            report = run_stream(chunks, searches, config, sink=sink, on_chunk=lambda r, _: progress(r),
                                batch=args.batch)
        else:
            from mmlab.stream.broker import run_redis_stream

            report = run_redis_stream(chunks, config, learn, args.broker, workers=args.workers, batch=args.batch,
                                      sink=sink, on_progress=progress)
    print("\r" + counters_html(report).replace("<b>", "").replace("</b>", ""), file=sys.stderr)
    sink.write()
    summary = {"chunks": report.processed, "rejected": [list(r) for r in report.rejected],
               "duplicates": report.duplicates, "restarts": report.restarts, "alerts": len(sink.alerts),
               "realtime_factor": report.realtime_factor,
               "latency_s": {stage: {"p50": report.percentile(stage, 50), "p99": report.percentile(stage, 99)}
                             for stage in report.latency}}
    with atomic_write(args.output / "stream_summary.json") as handle:
        handle.write(json.dumps(summary, indent=2) + "\n")
    print(f"alerts and summary in {args.output}")
    return 0


def _dashboard(args: argparse.Namespace) -> NoReturn:
    from mmlab.lab.runner import NOTEBOOK_DIR

    # Progressive rendering: the page shows the board at once and it redraws live as the stream runs. Without it
    # Voila serves the page only after the whole run. Voila 0.5 runs the whole notebook inside one message handler
    # of the execution websocket, so tornado reads no pong while the stream runs and closes the page's websocket
    # after 90 s (voila-dashboards/voila#1541, open): the server on 127.0.0.1 sends no keep-alive pings at all.
    # (The JSON form of a dict option is deprecated by traitlets; its key=value form would make the 0 a string.)
    # A page that leaves asks Voila to stop its kernel without the XSRF token Voila then demands, and is refused
    # ("'_xsrf' argument missing from POST", voila-dashboards/voila#1458, open): so kernels left idle by closed
    # pages are stopped after 10 minutes (an open page's kernel is never culled).
    command = [sys.executable, "-m", "voila", str(NOTEBOOK_DIR / "06_realtime_stream.ipynb"), "--no-browser",
               f"--port={args.port}", "--Voila.ip=127.0.0.1", "--progressive_rendering=True",
               '--Voila.tornado_settings={"ws_ping_interval": 0}',
               "--MappingKernelManager.cull_interval=60", "--MappingKernelManager.cull_idle_timeout=600"]
    # Voila takes this process's place, so that a signal to `mmlab dashboard` (Ctrl-C, a test's terminate) reaches
    # Voila, which stops its kernels; as a child it was left running with its kernel when this process ended.
    os.execv(sys.executable, command)


def _workshop_prepare(args: argparse.Namespace) -> int:
    from mmlab.lab.workshop import MANIFEST, machine_problems, prepare_room

    room = prepare_room(args.folder)  # reads every copy back against the manifest
    problems = machine_problems(room.folder)
    print(f"prepared {room.folder}: {len(room.files)} files, {room.size_bytes / 2**20:.1f} MiB, verified against "
          f"{MANIFEST}")
    print(f"on each machine: export MMLAB_DATA_MIRROR={room.folder / 'mirror'} MMLAB_DATA_DIR={room.folder / 'cache'}")
    if problems:
        print(f"mmlab workshop prepare: this machine is not ready: {'; '.join(problems)}", file=sys.stderr)
        return 2
    return 0


def _workshop_check(args: argparse.Namespace) -> int:
    from mmlab.lab.workshop import check_room

    problems = check_room(args.folder)
    if problems:
        print(f"mmlab workshop check: not ready: {'; '.join(problems)}", file=sys.stderr)
        return 2
    print(f"ready: packages, memory, disk and {'the files of ' + str(args.folder) if args.folder else 'the data'}")
    return 0


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

    stream = commands.add_parser("stream", help="run the real-time pipeline (chunks -> WDF -> coincidence -> "
                                                "classifier -> alerts)")
    stream.add_argument("--source", choices=("sim", "gwosc"), default="sim", help="simulated network or GW150914 "
                                                                                  "replay (default: sim)")
    stream.add_argument("--detectors", default="H1,L1,V1", help="comma-separated detectors (default: H1,L1,V1)")
    stream.add_argument("--duration", type=float, default=600.0, help="seconds of data (default: 600)")
    stream.add_argument("--broker", default="memory", help="memory (default) or a Redis URL such as "
                                                          "redis://127.0.0.1:6379")
    stream.add_argument("--workers", type=int, default=2, help="detector worker processes with Redis (default: 2)")
    stream.add_argument("--batch", type=int, default=8, help="chunks analysed together at most (default: 8)")
    stream.add_argument("--alert-far", type=float, default=None, metavar="PER_DAY",
                        help="alert at this many false alarms a day, the network SNR set from time slides of an "
                             "hour of design noise (default: StreamConfig's alert_snr, about one an hour)")
    stream.add_argument("--seed", type=int, default=0, help="seed of the simulated source (default: 0)")
    stream.add_argument("--output", type=Path, default=Path("build/stream"), help="alerts and summary folder")
    stream.set_defaults(handler=_stream)

    workshop = commands.add_parser("workshop", help="a folder with everything a workshop room needs offline")
    steps = workshop.add_subparsers(dest="action", required=True)
    prepare = steps.add_parser("prepare", help="copy the data, caches and models into a folder and verify it")
    prepare.add_argument("folder", type=Path, help="an empty folder (a USB stick) or one prepared before")
    prepare.set_defaults(handler=_workshop_prepare)
    check = steps.add_parser("check", help="is this machine ready (packages, memory, disk, the folder's files)?")
    check.add_argument("folder", type=Path, nargs="?", help="a prepared folder (default: check the cache and mirror)")
    check.set_defaults(handler=_workshop_check)

    dashboard = commands.add_parser("dashboard", help="serve the stream dashboard with Voila on 127.0.0.1")
    dashboard.add_argument("--port", type=int, default=8866, help="port (default: 8866)")
    dashboard.set_defaults(handler=_dashboard)
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
    except (ValueError, OSError) as exc:  # OSError: missing, unwritable or misnamed paths; ConnectionError
        print(f"mmlab {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
