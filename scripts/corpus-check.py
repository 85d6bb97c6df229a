#!/usr/bin/env python3
"""Pushes every flow of a local corpus of real Windmill flows with `sluice flow push` against a
private redis-server, and prints how many push, the warnings, and why each refusal remains.

    scripts/corpus-check.py CORPUS_DIR [BIN_DIR]

CORPUS_DIR holds INDEX.md (a markdown table with a `stored at` column: a flow folder or file,
relative to CORPUS_DIR). The corpus itself stays out of git (most flows carry no licence).
"""

import collections
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time

corpus = sys.argv[1]
binaries = sys.argv[2] if len(sys.argv) > 2 else ".build/debug"
rows = []
for line in open(os.path.join(corpus, "INDEX.md")):
    cells = [c.strip() for c in line.split("|")]
    if len(cells) > 8 and cells[1].isdigit():
        rows.append({"n": int(cells[1]), "repo": cells[2], "path": cells[3].strip("`"), "stored": cells[7].strip("`")})

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
work = tempfile.mkdtemp(prefix="sluice-corpus-")
password = secrets.token_hex(16)
redis = subprocess.Popen(
    ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--requirepass", password, "--save", "", "--appendonly", "no", "--dir", work],
    stdout=subprocess.DEVNULL,
)
try:
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(port), "-a", password, "--no-auth-warning", "ping"], capture_output=True).returncode == 0:
            break
        time.sleep(0.05)
    env = dict(os.environ, SLUICE_REDIS_URL=f"redis://:{password}@127.0.0.1:{port}/0", SLUICE_PREFIX="corpus")
    pushed, refused, warnings = [], [], collections.Counter()
    for row in rows:
        target = os.path.join(corpus, row["stored"])
        if os.path.isdir(target):
            inner = [f for f in os.listdir(target) if f in ("flow.yaml", "flow.yml", "flow.json") or re.search(r"\.flow\.(json|ya?ml)$", f)]
            if not inner:
                docs = [f for f in os.listdir(target) if f.endswith((".yaml", ".yml", ".json"))]
                if len(docs) == 1:
                    target = os.path.join(target, docs[0])
        result = subprocess.run(
            [os.path.join(binaries, "sluice"), "flow", "push", f"f/corpus/flow_{row['n']}", target], env=env, capture_output=True, text=True
        )
        for line in result.stderr.splitlines():
            if line.startswith("warning: "):
                key = re.sub(r"\[\d+\]", "[n]", line[len("warning: ") :]).split(":")[0]
                warnings[re.sub(r"^.*\.", "", key) if "." in key else key] += 1
        if result.returncode == 0:
            pushed.append(row)
        else:
            lines = [line.strip() for line in result.stderr.strip().splitlines() if not line.startswith("warning: ")]
            reason = " / ".join(lines[:3]) if lines else "(no message)"
            refused.append((row, reason))
    unreachable = sum(1 for _, reason in refused if "cannot lock the script's imports" in reason and "error sending request" in reason)
    print(
        f"{len(pushed)} of {len(rows)} flows pushed; {len(refused)} refused"
        + (
            f" ({unreachable} only because a TypeScript step's imports could not be fetched to lock them: no registry reachable)"
            if unreachable
            else ""
        )
    )
    print("warnings by field:", ", ".join(f"{k} {v}" for k, v in warnings.most_common()))
    for row, reason in refused:
        print(f"  refused #{row['n']} {row['repo']} {row['path']}: {reason[:300]}")
finally:
    redis.terminate()
    redis.wait()
    shutil.rmtree(work, ignore_errors=True)
