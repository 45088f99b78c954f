//! File helpers: atomic writes and German I/O error texts.

use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed and synced,
/// then renamed over the target. On any failure the existing target is left untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "kein Dateiname"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A German description of an I/O error for user messages.
pub fn io_error_german(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "Datei oder Ordner nicht gefunden".to_string(),
        io::ErrorKind::PermissionDenied => {
            "Zugriff verweigert (schreibgeschützt oder von einem anderen Programm gesperrt)"
                .to_string()
        }
        io::ErrorKind::AlreadyExists => "Datei existiert bereits".to_string(),
        io::ErrorKind::StorageFull => "Speicherplatz erschöpft".to_string(),
        io::ErrorKind::ReadOnlyFilesystem => "Dateisystem ist schreibgeschützt".to_string(),
        io::ErrorKind::IsADirectory => "Pfad ist ein Ordner, keine Datei".to_string(),
        io::ErrorKind::InvalidData => "Datei ist keine gültige Textdatei (UTF-8)".to_string(),
        _ => format!("Ein-/Ausgabefehler: {e}"),
    }
}

/// SHA-256 of bytes as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_keeps_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        write_atomic(&target, b"one").unwrap();
        write_atomic(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        // Writing into a missing folder fails and leaves nothing behind.
        let bad = dir.path().join("missing").join("b.txt");
        assert!(write_atomic(&bad, b"x").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
