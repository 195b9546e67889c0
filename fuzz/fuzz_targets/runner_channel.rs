//! Any bytes on the runner's channel (what sandboxed code can write there): a verdict for
//! every test, a pass only on the runner's `done`, the same verdict however the reads split.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = assay::fuzzing::runner_channel(data) {
        panic!("{e}");
    }
});
