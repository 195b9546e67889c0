"""assay's bridge to the official Weights & Biases SDK (src/track/bridge.rs runs it).

Reads one JSON record per line on stdin and answers each with one JSON line,
{"ok": true, ...} or {"ok": false, "error": "..."}, on the stdout it was started with.
Everything else the SDK prints goes to stderr (fd 1 is pointed at fd 2 first, so neither
this process nor wandb-core can corrupt the replies). W&B's environment variables
(WANDB_MODE, WANDB_DIR, WANDB_API_KEY, WANDB_BASE_URL, proxies, ...) are the SDK's own:
nothing here reads or writes them.

Records: hello; init {project, entity, group, tags, name, job_type, config}; log
{metrics}; summary {values}; table {key, columns, rows}; artifact {name, artifact_type,
aliases, files, metadata, input}; finish {exit_code}.
"""

import json
import os
import sys
import traceback

replies = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

wandb = None
run = None


def hello(rec):
    global wandb
    import wandb as sdk  # an ImportError is the reply, not a traceback

    wandb = sdk
    return {"wandb": wandb.__version__}


def init(rec):
    global run
    run = wandb.init(
        project=rec["project"],
        entity=rec.get("entity"),
        group=rec.get("group"),
        tags=rec.get("tags") or None,
        name=rec.get("name"),
        job_type=rec.get("job_type"),
        config=rec.get("config") or {},
    )
    offline = bool(run.settings._offline)
    return {"id": run.id, "name": run.name, "url": run.url, "dir": os.path.dirname(run.dir),
            "offline": offline, "project": run.project, "entity": run.entity or None}


def log(rec):
    run.log(rec["metrics"])
    return {}


def summary(rec):
    run.summary.update(rec["values"])
    return {}


def table(rec):
    run.log({rec["key"]: wandb.Table(columns=rec["columns"], data=rec["rows"])})
    return {}


def artifact(rec):
    art = wandb.Artifact(rec["name"], type=rec["artifact_type"], metadata=rec.get("metadata"))
    for path in rec["files"]:
        art.add_file(path)
    aliases = rec.get("aliases") or []
    if not rec.get("input"):
        run.log_artifact(art, aliases=aliases)
    elif run.settings._offline:
        # use_artifact refuses offline runs; this is the record it sends for a new artifact
        # without waiting for the server: `wandb sync` then logs it and marks it used.
        run._log_artifact(art, aliases=aliases, is_user_created=True, use_after_commit=True)
    else:
        run.use_artifact(art, aliases=aliases)
    return {"digest": art.digest}


def finish(rec):
    run.finish(exit_code=rec.get("exit_code", 0))
    return {}


HANDLERS = {"hello": hello, "init": init, "log": log, "summary": summary, "table": table,
            "artifact": artifact, "finish": finish}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        rec = {}
        try:
            rec = json.loads(line)
            reply = {"ok": True, **HANDLERS[rec["type"]](rec)}
        except Exception as e:  # noqa: BLE001 - every failure is a reply
            traceback.print_exc(file=sys.stderr)
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}".splitlines()[0]}
        replies.write(json.dumps(reply) + "\n")
        # Nothing can follow a finish, nor a failed hello or init (there is no run).
        if rec.get("type") == "finish" or (not reply["ok"] and rec.get("type") in ("hello", "init")):
            break


if __name__ == "__main__":
    main()
