//! Atomic file writing, used by every writer in the project.

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
pub(crate) fn temp_file_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "{}: cannot create a temporary file in {}",
                path.display(),
                dir.display()
            )
        })
}

/// Renames a finished temporary file onto `path`.
pub(crate) fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
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
