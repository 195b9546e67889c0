//! Headless Chromium for the report tests: run it on a page in a private profile, read
//! its console, decode its screenshot. Needs the `chromium` package (`scripts/setup`
//! installs it); without it a test fails, unless `ASSAY_SKIP_CHROMIUM=1` says to skip.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn chromium() -> Option<PathBuf> {
    if std::env::var_os("ASSAY_SKIP_CHROMIUM").is_some() {
        return None;
    }
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    Some(
        found.expect("chromium not found: install it (scripts/setup) or set ASSAY_SKIP_CHROMIUM=1"),
    )
}

/// Runs headless Chromium on `page` with `args`, in a private profile, bounded in time.
pub fn run_chromium(bin: &Path, profile: &Path, page: &Path, args: &[String]) -> Output {
    let out = Command::new("timeout")
        .args(["--kill-after=5", "90"])
        .arg(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Console messages Chromium logged for the page (`INFO:CONSOLE…] "text", source: …`).
pub fn console_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect()
}

pub struct Shot {
    pub width: u32,
    pub height: u32,
    /// Pixel count per exact RGB colour.
    pub colours: HashMap<[u8; 3], usize>,
}

pub fn decode(path: &Path) -> Shot {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected screenshot colour type {other:?}"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let mut colours = HashMap::new();
    for px in buf[..info.buffer_size()].chunks_exact(step) {
        *colours.entry([px[0], px[1], px[2]]).or_insert(0) += 1;
    }
    Shot {
        width: info.width,
        height: info.height,
        colours,
    }
}
