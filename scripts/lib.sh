# Shared settings for assay's scripts: source it, do not run it.
# Caches live outside the work tree so fresh clones (CI) reuse them; every script is idempotent.
set -euo pipefail
ASSAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ASSAY_CACHE="${ASSAY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/assay}"
# One persistent target dir: a fresh clone does not rebuild wasmtime from scratch.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ASSAY_CACHE/target}"
ASSAY_BIN="$CARGO_TARGET_DIR/release/assay"
mkdir -p "$ASSAY_CACHE"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

# Build the release binary once (cargo is a no-op when nothing changed).
build_assay() {
  (cd "$ASSAY_ROOT" && cargo build --release --quiet)
}
