#!/usr/bin/python3
"""rachis_dask - run `rachis extract` over an archive on a Dask cluster.

The archive (a JSON Lines or CSV file, or a directory of reports) is cut into
partitions of --partition-size records; each partition runs, on a Dask worker,
as one `rachis extract` subprocess in streaming filter mode (JSON Lines in on
standard input, rachis/1 records out on standard output, in order), and its
output is written to OUT/part-NNNNN.jsonl (to a temporary name first, renamed
when whole).  OUT/manifest.json lists every partition with its input and output
record counts.  A rerun skips the partitions whose output is already there, so
a killed run is completed by running it again.

The cluster is a LocalCluster (--workers N) unless --scheduler ADDRESS names an
existing one; the rachis binary and the patterns must be at the same paths on
every worker (see docs/scale-out.md).

usage: rachis_dask.py INPUT OUT [--rachis PATH] [--patterns DIR] [--partition-size N]
                      [--workers N] [--scheduler ADDRESS] [--rachis-args "..."]
"""

import argparse
import csv
import json
import os
import shlex
import subprocess
import sys
import time


def read_records(path, id_col=None, text_col=None):
    """Yields the archive's reports as JSON-ready dicts (id, patient, date, text)."""
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                if name.startswith("."):
                    continue
                full = os.path.join(root, name)
                with open(full, "rb") as f:
                    text = f.read().decode("utf-8", errors="replace")
                yield {"id": os.path.relpath(full, path), "text": text}
    elif path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                yield row
    else:
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError:
                        # rachis itself reports the bad line as an error record
                        yield {"id": f"{path}:{n}", "_raw": line.rstrip("\n")}


def partitions(records, size):
    part = []
    for r in records:
        part.append(r)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def run_partition(index, lines, out_dir, rachis, patterns, extra):
    """On a worker: one rachis subprocess in filter mode; writes part-NNNNN.jsonl."""
    out = os.path.join(out_dir, f"part-{index:05d}.jsonl")
    if os.path.exists(out):
        with open(out, "rb") as f:
            return {"partition": index, "input": len(lines), "output": sum(1 for _ in f), "skipped": True}
    cmd = [rachis, "extract", "-q", "-j", "1", "--format", "jsonl"] + extra + ["-"]
    env = dict(os.environ)
    if patterns:
        env["RACHIS_PATTERNS"] = patterns
    p = subprocess.run(cmd, input="".join(lines).encode("utf-8"), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    if p.returncode not in (0, 1):   # 1: some records are error records, which is fine
        raise RuntimeError(f"partition {index}: rachis exited {p.returncode}: {p.stderr.decode()[-500:]}")
    tmp = out + f".tmp.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(p.stdout)
    os.rename(tmp, out)
    return {"partition": index, "input": len(lines), "output": p.stdout.count(b"\n"), "skipped": False}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("out")
    ap.add_argument("--rachis", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "rachis"))
    ap.add_argument("--patterns", default=None)
    ap.add_argument("--partition-size", type=int, default=10000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler")
    ap.add_argument("--rachis-args", default="", help="extra options for rachis extract")
    a = ap.parse_args()

    from dask.distributed import Client, LocalCluster   # Debian: python3-distributed

    rachis = os.path.abspath(a.rachis)
    os.makedirs(a.out, exist_ok=True)
    extra = shlex.split(a.rachis_args)
    cluster = None
    if a.scheduler:
        client = Client(a.scheduler)
    else:
        cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    t0 = time.monotonic()
    futures, n_in = [], 0
    for i, part in enumerate(partitions(read_records(a.input), a.partition_size)):
        lines = [(r["_raw"] if "_raw" in r else json.dumps(r, ensure_ascii=False)) + "\n" for r in part]
        n_in += len(lines)
        futures.append(client.submit(run_partition, i, lines, os.path.abspath(a.out), rachis, a.patterns, extra,
                                     pure=False))
    results = sorted(client.gather(futures), key=lambda r: r["partition"])
    seconds = time.monotonic() - t0
    n_out = sum(r["output"] for r in results)
    manifest = {"input": os.path.abspath(a.input), "partitions": results, "records_in": n_in,
                "records_out": n_out, "seconds": round(seconds, 3), "rachis": rachis}
    tmp = os.path.join(a.out, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
    os.rename(tmp, os.path.join(a.out, "manifest.json"))
    client.close()
    if cluster:
        cluster.close()
    print(f"rachis_dask: {len(results)} partitions, {n_in} records in, {n_out} records out, {seconds:.1f} s")
    return 0 if n_in == n_out else 1


if __name__ == "__main__":
    sys.exit(main())
