//! Atomic file writing, used by every writer in the project (weights, data, pictures, HDL).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `bytes` to `path` so that readers see either the old file or the complete new one,
/// never a half-written file: the data goes to a temporary file in the same folder (so the rename
/// cannot cross file systems), is flushed to disk, and is then renamed over `path`. If anything
/// fails, the temporary file is removed and `path` is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = temp_file_beside(path)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write temporary file", path.display()))?;
    persist(tmp, path)
}

/// Creates a temporary file in the folder that will hold `path`.
pub fn temp_file_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tmp-");
    // tempfile creates 0600 files (right for secrets, wrong for results people share): outputs get
    // the usual 0644 instead.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    builder.tempfile_in(dir).with_context(|| {
        format!(
            "{}: cannot create a temporary file in {}",
            path.display(),
            dir.display()
        )
    })
}

/// Renames a finished temporary file onto `path`.
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    tmp.persist(path)
        .map(drop)
        .map_err(|e| anyhow::Error::new(e.error))
        .with_context(|| {
            format!(
                "{}: cannot rename the temporary file into place",
                path.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_whole_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o644
            );
        }
        let err = write_atomic(&dir.path().join("missing/x"), b"").unwrap_err();
        assert!(format!("{err:#}").contains("missing/x"));
    }
}
