//! The files a command reads and writes, checked before it does any work: an output that is one
//! of the inputs (or another output of the same command) would destroy it, and an output that
//! cannot be written would only fail after minutes of training or synthesis.
//!
//! Paths are compared by what they resolve to (symbolic links followed, `..` applied, the same
//! file through a hard link recognised), not by how they are spelled.

use anyhow::{bail, Context, Result};
use std::path::{Component, Path, PathBuf};

/// One path of a command, with the flag (or argument name) that gave it, for messages.
struct Named {
    flag: String,
    path: PathBuf,
}

/// The inputs and outputs of one command.
#[derive(Default)]
pub struct IoPlan {
    inputs: Vec<Named>,
    outputs: Vec<Named>,
    /// Output folders (created when missing), checked for being writable.
    folders: Vec<Named>,
}

impl IoPlan {
    pub fn new() -> Self {
        Self::default()
    }

    /// A file the command reads.
    pub fn input(mut self, flag: &str, path: &Path) -> Self {
        self.inputs.push(Named {
            flag: flag.into(),
            path: path.to_path_buf(),
        });
        self
    }

    /// A file the command reads when the flag was given.
    pub fn input_opt(self, flag: &str, path: Option<&Path>) -> Self {
        match path {
            Some(p) => self.input(flag, p),
            None => self,
        }
    }

    /// Files the command reads, all given by one flag.
    pub fn inputs<'a>(mut self, flag: &str, paths: impl IntoIterator<Item = &'a Path>) -> Self {
        for p in paths {
            self = self.input(flag, p);
        }
        self
    }

    /// A file the command writes (its folder is created when missing).
    pub fn output(mut self, flag: &str, path: &Path) -> Self {
        self.outputs.push(Named {
            flag: flag.into(),
            path: path.to_path_buf(),
        });
        self
    }

    /// A file the command writes when the flag was given.
    pub fn output_opt(self, flag: &str, path: Option<&Path>) -> Self {
        match path {
            Some(p) => self.output(flag, p),
            None => self,
        }
    }

    /// A folder the command writes `files` into (created when missing).
    pub fn output_folder(mut self, flag: &str, dir: &Path, files: &[String]) -> Self {
        self.folders.push(Named {
            flag: flag.into(),
            path: dir.to_path_buf(),
        });
        for f in files {
            self = self.output(flag, &dir.join(f));
        }
        self
    }

    /// Fails, naming both flags, when an output is an input or another output; then fails when an
    /// output cannot be written: a folder in the way, or no permission to create files there.
    pub fn check(&self) -> Result<()> {
        for (k, out) in self.outputs.iter().enumerate() {
            let id = Identity::of(&out.path);
            if let Some(input) = self.inputs.iter().find(|i| Identity::of(&i.path) == id) {
                bail!(
                    "{} {}: is the input {} {}; writing it would destroy the input, so choose another output",
                    out.flag,
                    out.path.display(),
                    input.flag,
                    input.path.display()
                );
            }
            if let Some(other) = self.outputs[..k]
                .iter()
                .find(|o| Identity::of(&o.path) == id)
            {
                bail!(
                    "{} {} and {} {} are the same file; give each output its own path",
                    other.flag,
                    other.path.display(),
                    out.flag,
                    out.path.display()
                );
            }
        }
        for out in &self.outputs {
            if out.path.is_dir() {
                bail!(
                    "{} {}: is a folder, expected a file name",
                    out.flag,
                    out.path.display()
                );
            }
            writable(&out.flag, &out.path, out.path.parent())?;
        }
        for dir in &self.folders {
            if dir.path.exists() && !dir.path.is_dir() {
                bail!(
                    "{} {}: is a file, expected a folder",
                    dir.flag,
                    dir.path.display()
                );
            }
            writable(&dir.flag, &dir.path, Some(&dir.path))?;
        }
        Ok(())
    }
}

/// Fails unless files can be created in `folder` (or, when it does not exist yet, in the folder
/// that will hold it): it is a folder, and a file can be made there.
fn writable(flag: &str, path: &Path, folder: Option<&Path>) -> Result<()> {
    let folder = match folder {
        Some(f) if !f.as_os_str().is_empty() => f,
        _ => Path::new("."),
    };
    let existing = folder
        .ancestors()
        .find(|a| a.as_os_str().is_empty() || a.exists())
        .filter(|a| !a.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !existing.is_dir() {
        bail!(
            "{flag} {}: cannot create a folder there, {} is a file",
            path.display(),
            existing.display()
        );
    }
    // An unnamed temporary file: nothing is left behind, whatever happens.
    tempfile::tempfile_in(existing).map(drop).with_context(|| {
        format!(
            "{flag} {}: cannot write in {}",
            path.display(),
            existing.display()
        )
    })
}

/// What a path designates: the canonical path of its deepest existing ancestor plus the rest,
/// and the device and inode when the file exists (a hard link is the same file).
#[derive(PartialEq, Eq, Debug)]
enum Identity {
    File(u64, u64),
    Path(PathBuf),
}

impl Identity {
    fn of(path: &Path) -> Self {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = std::fs::metadata(path) {
            return Identity::File(m.dev(), m.ino());
        }
        let absolute = lexical(
            &std::env::current_dir()
                .map(|d| d.join(path))
                .unwrap_or_else(|_| path.to_path_buf()),
        );
        let mut missing = Vec::new();
        let mut existing = absolute.as_path();
        while !existing.exists() {
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    missing.push(name.to_os_string());
                    existing = parent;
                }
                _ => break,
            }
        }
        let mut resolved = existing
            .canonicalize()
            .unwrap_or_else(|_| existing.to_path_buf());
        for name in missing.iter().rev() {
            resolved.push(name);
        }
        Identity::Path(lexical(&resolved))
    }
}

/// `path` with `.` and `..` applied (canonicalize cannot resolve a path that does not exist).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_file_are_the_same_identity() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.json"), "{}").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::os::unix::fs::symlink(d.join("a.json"), d.join("link.json")).unwrap();
        std::fs::hard_link(d.join("a.json"), d.join("hard.json")).unwrap();
        let a = Identity::of(&d.join("a.json"));
        assert_eq!(Identity::of(&d.join("sub/../a.json")), a);
        assert_eq!(Identity::of(&d.join("link.json")), a);
        assert_eq!(Identity::of(&d.join("hard.json")), a);
        assert_ne!(Identity::of(&d.join("sub/a.json")), a);
        // Files that do not exist yet, under a missing folder.
        assert_eq!(
            Identity::of(&d.join("new/x/../y.json")),
            Identity::of(&d.join("sub/../new/y.json"))
        );
    }
}
