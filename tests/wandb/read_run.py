"""Reads back what an offline W&B run logged, for tests/wandb.rs: the run's transaction log
(`run-<id>.wandb`) decoded with wandb's own protobufs, and the tables it wrote as files.

wandb 0.31 ships the protobufs (`wandb.proto.wandb_internal_pb2.Record`) but no reader of
the file (`wandb.sdk.internal.datastore` is gone), so the log format is decoded here: a
7-byte header (":W&B", magic 0xBEE1 little-endian, version 0), then LevelDB's log format in
32 KiB blocks: each chunk a 7-byte header (crc32 u32 LE, length u16 LE, type u8: 1 FULL,
2 FIRST, 3 MIDDLE, 4 LAST) and its bytes; a block's tail shorter than a header is zero
padding. The crc is zlib's crc32 of the data seeded with the crc32 of the type byte.

Usage: read_run.py RUN_DIR  ->  one JSON object on stdout (see `main`).
"""

import glob
import json
import os
import struct
import sys
import zlib

from wandb.proto import wandb_internal_pb2 as pb

BLOCK = 32 * 1024
HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def chunks(data):
    """The records' bytes, reassembled from the chunks; checks every crc."""
    ident, magic, version = struct.unpack("<4sHB", data[:HEADER])
    assert ident == b":W&B" and magic == 0xBEE1 and version == 0, (ident, magic, version)
    pos, pending = HEADER, None
    while pos + HEADER <= len(data):
        left = BLOCK - pos % BLOCK
        if left < HEADER:
            pos += left
            continue
        crc, length, kind = struct.unpack("<IHB", data[pos : pos + HEADER])
        if crc == 0 and length == 0 and kind == 0:
            pos += left  # zero padding to the end of the block
            continue
        body = data[pos + HEADER : pos + HEADER + length]
        assert len(body) == length, f"truncated chunk at {pos}"
        want = zlib.crc32(body, zlib.crc32(bytes([kind]))) & 0xFFFFFFFF
        assert crc == want, f"bad crc at {pos}: {crc:#x} != {want:#x}"
        pos += HEADER + length
        if kind == FULL:
            assert pending is None, f"FULL inside a fragmented record at {pos}"
            yield body
        elif kind == FIRST:
            pending = body
        elif kind == MIDDLE:
            pending += body
        elif kind == LAST:
            yield pending + body
            pending = None
        else:
            raise AssertionError(f"chunk type {kind} at {pos}")
    assert pending is None, "log ends inside a record"


def items(update):
    """`{key: value}` of config or summary items (value_json, nested_key joined by '.')."""
    out = {}
    for item in update:
        key = ".".join(item.nested_key) if item.nested_key else item.key
        out[key] = json.loads(item.value_json)
    return out


def main(run_dir):
    [log] = glob.glob(os.path.join(run_dir, "run-*.wandb"))
    with open(log, "rb") as f:
        data = f.read()
    out = {"run": None, "config": {}, "summary": {}, "history": [], "artifacts": [],
           "tables": {}, "kinds": {}, "exit": None}
    for raw in chunks(data):
        rec = pb.Record()
        rec.ParseFromString(raw)
        kind = rec.WhichOneof("record_type")
        out["kinds"][kind] = out["kinds"].get(kind, 0) + 1
        if kind == "run":
            r = rec.run
            out["run"] = {"id": r.run_id, "project": r.project, "entity": r.entity,
                          "group": r.run_group, "job_type": r.job_type, "name": r.display_name,
                          "tags": list(r.tags)}
            out["config"].update(items(r.config.update))
        elif kind == "config":
            out["config"].update(items(rec.config.update))
            for item in rec.config.remove:
                out["config"].pop(item.key, None)
        elif kind == "summary":
            out["summary"].update(items(rec.summary.update))
        elif kind == "history":
            out["history"].append(items(rec.history.item))
        elif kind == "artifact":
            a = rec.artifact
            entries = {}
            if a.manifest.manifest_file_path and os.path.exists(a.manifest.manifest_file_path):
                with open(a.manifest.manifest_file_path) as f:
                    manifest = json.load(f)
                entries = {k: v["digest"] for k, v in manifest.get("contents", {}).items()}
            entries.update({e.path: e.digest for e in a.manifest.contents})
            out["artifacts"].append({"name": a.name, "type": a.type, "aliases": list(a.aliases),
                                     "use_after_commit": a.use_after_commit,
                                     "user_created": a.user_created,
                                     "metadata": json.loads(a.metadata or "null"),
                                     "files": entries})
        elif kind == "exit":
            out["exit"] = rec.exit.exit_code
    # The config's values are wrapped as {"value": ..., "desc": ...} by the SDK.
    out["config"] = {k: (v["value"] if isinstance(v, dict) and "value" in v else v)
                     for k, v in out["config"].items() if not k.startswith("_")}
    for path in glob.glob(os.path.join(run_dir, "files", "**", "*.table.json"), recursive=True):
        with open(path) as f:
            out["tables"][os.path.relpath(path, os.path.join(run_dir, "files"))] = json.load(f)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
