//! Any text, as a skill file: an entry or one input error at a line of it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(e) = assay::fuzzing::skill_file(text) {
        panic!("{e}");
    }
});
