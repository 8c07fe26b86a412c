#!/usr/bin/env python3
"""Where a workload's cost goes in a running litekv server.

Runs the workload given after `--` between two readings of the server, then prints (to
stderr, so the workload's own output stays clean):

- CPU per request, in microseconds, by thread (from /proc/PID/task: the writer, the readers,
  the runtimes' workers, sqlx's SQLite threads), and in all;
- the writer's commits over the workload (from the server's /metrics): how many, requests,
  statements and WAL frames per commit, and the writer's time per commit.

    attribute.py --pid PID --metrics URL --requests N [--label NAME] -- COMMAND ARGS...

With BENCH_FIGURES set, it also appends `figure NAME_cpu_us VALUE` (and the per-commit
figures) to that file, for bench/engine's table.
"""

import argparse
import os
import re
import subprocess
import sys
import urllib.request

TICKS = os.sysconf("SC_CLK_TCK")


def thread_times(pid):
    """CPU seconds of each thread group of the process, by name without its number."""
    groups = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                line = stat.read()
        except FileNotFoundError:
            continue  # the thread ended between the listing and the read
        # The name is in parentheses and may hold spaces; the fields after it are fixed.
        name = line[line.index("(") + 1 : line.rindex(")")]
        fields = line[line.rindex(")") + 2 :].split()
        user, system = int(fields[11]), int(fields[12])
        group = re.sub(r"[-_]?\d+$", "", name)
        groups[group] = groups.get(group, 0) + (user + system) / TICKS
    return groups


def metrics(url):
    """The server's counters and histogram sums, by name (labels dropped, values summed)."""
    found = {}
    with urllib.request.urlopen(url, timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name, value = line.rsplit(" ", 1)
            name = name.split("{", 1)[0]
            try:
                found[name] = found.get(name, 0.0) + float(value)
            except ValueError:
                pass
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--metrics", required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--label", default="workload")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    times_before, metrics_before = thread_times(args.pid), metrics(args.metrics)
    status = subprocess.run(command).returncode
    times_after, metrics_after = thread_times(args.pid), metrics(args.metrics)

    per_request = {
        group: (times_after[group] - times_before.get(group, 0.0)) * 1e6 / args.requests
        for group in times_after
    }
    busy = {group: us for group, us in per_request.items() if us >= 0.5}
    total = sum(per_request.values())
    threads = ", ".join(f"{group} {us:.0f}" for group, us in sorted(busy.items(), key=lambda kv: -kv[1]))
    report = [f"{args.label}: CPU per request {total:.0f} us ({threads})"]

    def delta(name):
        return metrics_after.get(name, 0.0) - metrics_before.get(name, 0.0)

    commits = delta("litekv_write_batch_size_count")
    figures = {f"{args.label}_cpu_us": total}
    if commits > 0:
        per_commit = {"requests": delta("litekv_write_batch_size_sum") / commits}
        for name, metric in [("statements", "litekv_write_statements"), ("wal_frames", "litekv_write_wal_frames")]:
            if f"{metric}_count" in metrics_after:
                per_commit[name] = delta(f"{metric}_sum") / commits
        per_commit["writer_ms"] = delta("litekv_write_commit_seconds_sum") * 1000 / commits
        described = ", ".join(f"{value:.2f} {name.replace('_', ' ')}" for name, value in per_commit.items())
        report.append(f"{args.label}: {commits:.0f} commits; per commit {described}")
        figures.update({f"{args.label}_per_commit_{name}": value for name, value in per_commit.items()})
    print("\n".join(report), file=sys.stderr)
    if os.environ.get("BENCH_FIGURES"):
        with open(os.environ["BENCH_FIGURES"], "a") as out:
            out.writelines(f"figure {name} {value:.2f}\n" for name, value in figures.items())
    sys.exit(status)


if __name__ == "__main__":
    main()
