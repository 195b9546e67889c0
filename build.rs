//! Embeds the git commit the binary was built from (`ASSAY_GIT_COMMIT`), for run records'
//! `meta.json`. Outside a git checkout (a crate tarball) the variable is simply unset;
//! an `ASSAY_GIT_COMMIT` set in the build environment wins (packagers, CI without .git).
//! Uncommitted changes are not flagged: the script reruns only when HEAD moves, so such a
//! flag would go stale.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-env-changed=ASSAY_GIT_COMMIT");
    if let Ok(commit) = std::env::var("ASSAY_GIT_COMMIT") {
        println!("cargo:rustc-env=ASSAY_GIT_COMMIT={commit}");
        return;
    }
    let Some(commit) = git(&["rev-parse", "HEAD"]) else {
        return;
    };
    // Rebuild when HEAD moves: HEAD itself (a checkout), the branch it names (a commit),
    // and packed-refs (a gc). In a worktree these live in different git directories.
    // Only files that exist are watched: cargo counts a missing one as changed on every
    // build (a fresh clone has no packed-refs, a packed branch no loose ref), which made
    // every `cargo build` recompile assay. A loose ref that `git gc` packs away is
    // deleted, which cargo notices, and the rerun then watches packed-refs.
    let watch = |p: String| {
        if std::path::Path::new(&p).exists() {
            println!("cargo:rerun-if-changed={p}");
        }
    };
    for path in ["HEAD", "packed-refs"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path]) {
            watch(p);
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(p) = git(&["rev-parse", "--git-path", &branch]) {
            watch(p);
        }
    }
    println!("cargo:rustc-env=ASSAY_GIT_COMMIT={commit}");
}
