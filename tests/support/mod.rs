//! Helpers shared by integration tests (`mod support;` in a test file): LibreOffice conversion
//! and deterministic noise. Each test binary compiles this module and uses part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// LibreOffice (`soffice` on the `PATH`). `None` if it is missing: then the test fails under
/// `CI` (whose script installs `libreoffice-calc-nogui`) and is skipped with a note otherwise.
pub fn soffice_or_skip(test: &str) -> Option<PathBuf> {
    let found = ["soffice", "libreoffice"].iter().find_map(|name| {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {name}"))
            .output()
            .ok()?;
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: soffice (LibreOffice) fehlt; CI muss libreoffice-calc-nogui installieren"
        );
        eprintln!(
            "ÜBERSPRUNGEN: {test}: soffice fehlt (apt-get install -y libreoffice-calc-nogui); unter CI schlägt dieser Test fehl."
        );
    }
    found
}

/// A profile setting that makes LibreOffice recalculate every formula on load (ENGINEERING.md §2).
const RECALC_XCU: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#;

/// Converts `files` with LibreOffice (headless, throw-away profile under `work`) to `format`
/// ("xlsx", "xls", "ods") into `out`, recalculating formulas on load if `recalc`. Returns the
/// converted paths in the order of `files`. Fails the test after 300 s.
pub fn libreoffice_convert(
    soffice: &Path,
    work: &Path,
    files: &[PathBuf],
    format: &str,
    out: &Path,
    recalc: bool,
) -> Vec<PathBuf> {
    let profile = work.join("lo-profile");
    std::fs::create_dir_all(profile.join("user")).unwrap();
    if recalc {
        std::fs::write(
            profile.join("user").join("registrymodifications.xcu"),
            RECALC_XCU,
        )
        .unwrap();
    }
    std::fs::create_dir_all(out).unwrap();
    let mut child = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            format,
            "--outdir",
        ])
        .arg(out)
        .args(files)
        .env("HOME", work)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "soffice: {status}");
            break;
        }
        if start.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("soffice hat nach 300 s nicht geantwortet");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    files
        .iter()
        .map(|f| out.join(f.with_extension(format).file_name().unwrap()))
        .collect()
}

/// Pseudo-random bytes (xorshift), deterministic.
pub fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}
