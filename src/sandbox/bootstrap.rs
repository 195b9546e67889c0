//! How Python code of ours gets into a sandbox: one bootstrap and one framing for the
//! cold runner, the zygote (process backend) and the pool server (docker backend).
//!
//! The interpreter is started with `-c BOOTSTRAP`. The bootstrap reads one hello from
//! fd 0 — a 4-byte big-endian length, then JSON `{"modules": [[name, source]...], "main":
//! "module.function", "args": {...}}` — with raw reads, so nothing of a later message sits
//! in a Python buffer; loads each module in order as `sys.modules[name]` (so a later one
//! imports an earlier one by name, and no file is needed in the sandbox); and calls
//! `main(**args)`. The sources are embedded in the binary.
//!
//! The wasi backend keeps its own bootstrap (`wasi/preinit.rs`): its interpreter is
//! restored from a snapshot that already holds the runner, so it reads only the request.

use serde_json::Value;

/// The runner: runs one program and its tests and reports on the channel (every backend).
pub(crate) const RUNNER: (&str, &str) = (
    "assay_runner",
    include_str!("../../sandbox-images/runner/assay_runner.py"),
);
/// What a warm server's child does before the runner takes over (zygote and pool).
pub(crate) const CHILD: (&str, &str) = (
    "assay_child",
    include_str!("../../sandbox-images/runner/assay_child.py"),
);
/// The process backend's warm server: forks a child per execution.
pub(crate) const ZYGOTE: (&str, &str) = (
    "assay_zygote",
    include_str!("../../sandbox-images/runner/assay_zygote.py"),
);
/// The docker backend's warm server: one per container.
pub(crate) const POOL: (&str, &str) = (
    "assay_pool",
    include_str!("../../sandbox-images/runner/assay_pool.py"),
);

/// The interpreter's `-c` argument (short, so process listings stay readable). An
/// interpreter whose harness is gone before the hello arrived just leaves.
pub(crate) const BOOTSTRAP: &str = "\
import os,sys,json
def r(n):
    b=b''
    while len(b)<n:
        c=os.read(0,n-len(b))
        if not c: os._exit(0)
        b+=c
    return b
h=json.loads(r(int.from_bytes(r(4),'big')))
for n,s in h['modules']:
    m=type(sys)(n);sys.modules[n]=m
    exec(compile(s,n,'exec'),m.__dict__)
n,_,f=h['main'].rpartition('.')
getattr(sys.modules[n],f)(**h['args'])
";

/// The hello: `modules` loaded in order, then `main(**args)`.
pub(crate) fn hello(modules: &[(&str, &str)], main: &str, args: Value) -> Vec<u8> {
    framed(&serde_json::json!({"modules": modules, "main": main, "args": args}))
}

/// One message: 4-byte big-endian length, then the JSON.
pub(crate) fn framed(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).expect("a JSON value serializes");
    let len = u32::try_from(body.len()).expect("a message under 4 GiB");
    let mut out = len.to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real bootstrap in the host's Python: modules import each other by name, `main`
    /// gets its arguments, and any JSON value (quotes, newlines, non-ASCII, big numbers)
    /// arrives unchanged.
    #[test]
    fn the_bootstrap_loads_modules_in_order_and_calls_main() {
        use std::io::Write;
        let a = ("mod_a", "VALUE = 'from a'\n");
        let b = (
            "mod_b",
            "import json, mod_a\ndef main(payload):\n    print(json.dumps([mod_a.VALUE, payload]))\n",
        );
        let payload = serde_json::json!({"s": "q\"uote\n\u{e9}\u{1F600}", "n": 12345678901234567890u64, "l": [null, true, 1.5]});
        let mut child = std::process::Command::new("python3")
            .args(["-c", BOOTSTRAP])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let msg = hello(
            &[a, b],
            "mod_b.main",
            serde_json::json!({"payload": payload}),
        );
        child.stdin.take().unwrap().write_all(&msg).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(got, serde_json::json!(["from a", payload]));
    }
}
