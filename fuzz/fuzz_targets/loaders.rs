//! Any bytes, as a JSONL file read by every loader: records or one input error within the file.
#![no_main]
use libfuzzer_sys::fuzz_target;

thread_local! {
    static DIR: tempfile::TempDir = tempfile::tempdir().expect("a temp dir");
}

fuzz_target!(|data: &[u8]| {
    DIR.with(|dir| {
        if let Err(e) = assay::fuzzing::loaders(&dir.path().join("f.jsonl"), data) {
            panic!("{e}");
        }
    })
});
