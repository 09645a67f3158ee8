//! The real MNIST files, for the tests that use them.

use crate::skip::cannot_run;
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::PathBuf;

/// The MNIST folder (`$SNN_MNIST_DIR`, else the shared data folder beside the workspace) when it
/// holds the training images; otherwise test `test` [cannot run](crate::cannot_run).
pub fn mnist_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("SNN_MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/mnist"
            ))
        });
    if dir.join("train-images-idx3-ubyte.gz").is_file() {
        return Some(dir);
    }
    cannot_run(
        test,
        &format!("MNIST not found at {} (set SNN_MNIST_DIR)", dir.display()),
    );
    None
}

/// The first `count` images (28 x 28) of the gzip IDX image file `file` of [`mnist_dir`].
pub fn mnist_images(test: &str, file: &str, count: usize) -> Option<Vec<Vec<u8>>> {
    let path = mnist_dir(test)?.join(file);
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut gz = GzDecoder::new(f);
    let mut header = [0u8; 16];
    gz.read_exact(&mut header)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let word = |k: usize| u32::from_be_bytes(header[k..k + 4].try_into().unwrap()) as usize;
    assert_eq!(word(0), 0x803, "{}: not an IDX image file", path.display());
    assert_eq!(
        (word(8), word(12)),
        (28, 28),
        "{}: not 28x28",
        path.display()
    );
    let mut images = vec![vec![0u8; 784]; count.min(word(4))];
    for img in &mut images {
        gz.read_exact(img)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    Some(images)
}
