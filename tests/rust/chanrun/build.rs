//! Records the toolchain and the crossbeam-channel version the binary is built with, so that
//! `chanrun --versions` can say exactly which Rust channels were compared.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|text| text.trim().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=CHANRUN_RUSTC_VERSION={version}");
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    println!(
        "cargo:rustc-env=CHANRUN_CROSSBEAM_VERSION={}",
        locked_version(&lock, "crossbeam-channel")
    );
}

/// The version Cargo.lock records for `package` ("unknown" before the first lock is written).
fn locked_version(lock: &str, package: &str) -> String {
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            if let Some(version) = lines.next().and_then(|l| l.trim().strip_prefix("version = ")) {
                return version.trim_matches('"').to_string();
            }
        }
    }
    "unknown".to_string()
}
