//! MNIST's IDX file format, plain or gzip-compressed.
//!
//! An IDX file is a big-endian header — two zero bytes, a type code (0x08 = unsigned byte), the
//! number of dimensions, then one `u32` per dimension — followed by the raw values. MNIST uses
//! magic 0x00000803 (three dimensions: count, rows, columns) for images and 0x00000801 (one
//! dimension: count) for labels. Files are recognised as gzip by their first two bytes (1f 8b),
//! not by their name, because downloads are often renamed or decompressed in place.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::{write_atomic, Image};

/// Magic number of an IDX file of unsigned-byte images (count x rows x columns).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned-byte labels (count).
pub const LABELS_MAGIC: u32 = 0x0000_0801;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What an IDX file holds, as far as this crate is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Images,
    Labels,
}

/// Reads all images of an IDX image file. Every image has the size given in the header.
pub fn read_images(path: &Path) -> Result<Vec<Image>> {
    let (data, gz) = read_maybe_gz(path)?;
    check_magic(path, &data, IMAGES_MAGIC)?;
    if data.len() < 16 {
        bail!(
            "{}: truncated IDX image header: needs 16 bytes, file has {}{}",
            path.display(),
            data.len(),
            gz_note(gz)
        );
    }
    let [count, height, width] = [4, 8, 12].map(|at| be_u32(&data, at) as usize);
    if count > 0 && (height == 0 || width == 0) {
        bail!("{}: IDX image header declares {count} images of size {height}x{width}; images cannot be empty", path.display());
    }
    let pixels_per_image = height.checked_mul(width);
    let expected = pixels_per_image
        .and_then(|p| p.checked_mul(count))
        .and_then(|n| n.checked_add(16));
    let Some(expected) = expected else {
        bail!(
            "{}: IDX image header declares {count} images of {height}x{width}, which is too large",
            path.display()
        );
    };
    check_length(
        path,
        &data,
        expected,
        gz,
        &format!("{count} images of {height}x{width}"),
    )?;
    if count == 0 {
        return Ok(Vec::new());
    }
    let images = data[16..]
        .chunks_exact(height * width)
        .take(count)
        .map(|px| Image {
            height,
            width,
            pixels: px.to_vec(),
        })
        .collect();
    Ok(images)
}

/// Reads all labels of an IDX label file.
pub fn read_labels(path: &Path) -> Result<Vec<u8>> {
    let (data, gz) = read_maybe_gz(path)?;
    check_magic(path, &data, LABELS_MAGIC)?;
    if data.len() < 8 {
        bail!(
            "{}: truncated IDX label header: needs 8 bytes, file has {}{}",
            path.display(),
            data.len(),
            gz_note(gz)
        );
    }
    let count = be_u32(&data, 4) as usize;
    let expected = count.checked_add(8).with_context(|| {
        format!(
            "{}: IDX label header declares {count} labels, which is too large",
            path.display()
        )
    })?;
    check_length(path, &data, expected, gz, &format!("{count} labels"))?;
    Ok(data[8..].to_vec())
}

/// Writes images as an IDX image file, gzip-compressed when `path` ends in `.gz`. All images must
/// have the same, non-zero size, and there must be at least one (the header needs a size).
pub fn write_images(path: &Path, imgs: &[Image]) -> Result<()> {
    let Some(first) = imgs.first() else {
        bail!(
            "{}: cannot write an IDX image file with no images (its header needs an image size)",
            path.display()
        );
    };
    let (height, width) = (first.height, first.width);
    let mut data = Vec::with_capacity(16 + imgs.len() * height * width);
    data.extend_from_slice(&IMAGES_MAGIC.to_be_bytes());
    for dim in [imgs.len(), height, width] {
        let dim = u32::try_from(dim).with_context(|| {
            format!(
                "{}: dimension {dim} does not fit in an IDX header",
                path.display()
            )
        })?;
        data.extend_from_slice(&dim.to_be_bytes());
    }
    for (k, img) in imgs.iter().enumerate() {
        if (img.height, img.width) != (height, width) {
            bail!("{}: image {k} is {}x{} but image 0 is {height}x{width}; an IDX file holds one size", path.display(), img.height, img.width);
        }
        if img.pixels.len() != height * width {
            bail!(
                "{}: image {k} claims {height}x{width} but has {} pixels",
                path.display(),
                img.pixels.len()
            );
        }
        data.extend_from_slice(&img.pixels);
    }
    write_maybe_gz(path, &data)
}

/// Writes labels as an IDX label file, gzip-compressed when `path` ends in `.gz`.
pub fn write_labels(path: &Path, labels: &[u8]) -> Result<()> {
    let count = u32::try_from(labels.len())
        .with_context(|| format!("{}: too many labels for an IDX file", path.display()))?;
    let mut data = Vec::with_capacity(8 + labels.len());
    data.extend_from_slice(&LABELS_MAGIC.to_be_bytes());
    data.extend_from_slice(&count.to_be_bytes());
    data.extend_from_slice(labels);
    write_maybe_gz(path, &data)
}

/// Tells whether `path` is an IDX image or label file (plain or gzipped) by its first bytes,
/// without reading the whole file. `Ok(None)` means "neither gzip nor IDX", i.e. some other kind
/// of file; a gzip file that does not hold IDX data is an error, since nothing else we read is
/// gzipped.
pub(crate) fn sniff(path: &Path) -> Result<Option<Kind>> {
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut head = Vec::with_capacity(4);
    file.take(4)
        .read_to_end(&mut head)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    if head.starts_with(&GZIP_MAGIC) {
        let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
        head.clear();
        GzDecoder::new(file)
            .take(4)
            .read_to_end(&mut head)
            .with_context(|| format!("{}: corrupt gzip data", path.display()))?;
        return match kind_of(&head) {
            Some(kind) => Ok(Some(kind)),
            None => bail!(
                "{}: gzip file does not hold an MNIST IDX file ({})",
                path.display(),
                describe_magic(&head)
            ),
        };
    }
    Ok(kind_of(&head))
}

fn kind_of(head: &[u8]) -> Option<Kind> {
    match head {
        [0, 0, 0x08, 3] => Some(Kind::Images),
        [0, 0, 0x08, 1] => Some(Kind::Labels),
        _ => None,
    }
}

/// Reads a file, gunzipping it when it starts with the gzip magic. Returns the data and whether
/// it was compressed (error messages then say that byte counts are after decompression).
fn read_maybe_gz(path: &Path) -> Result<(Vec<u8>, bool)> {
    let raw = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok((raw, false));
    }
    let mut data = Vec::with_capacity(raw.len() * 5);
    GzDecoder::new(raw.as_slice())
        .read_to_end(&mut data)
        .with_context(|| format!("{}: corrupt or truncated gzip data", path.display()))?;
    Ok((data, true))
}

fn write_maybe_gz(path: &Path, data: &[u8]) -> Result<()> {
    if path.extension().is_some_and(|e| e == "gz") {
        let mut enc = GzEncoder::new(Vec::with_capacity(data.len() / 4), Compression::default());
        enc.write_all(data)
            .and_then(|()| enc.finish())
            .with_context(|| format!("{}: gzip compression failed", path.display()))
            .and_then(|gz| write_atomic(path, &gz))
    } else {
        write_atomic(path, data)
    }
}

fn check_magic(path: &Path, data: &[u8], want: u32) -> Result<()> {
    if data.len() >= 4 && be_u32(data, 0) == want {
        return Ok(());
    }
    let (wanted, advice) = if want == IMAGES_MAGIC {
        (
            "an MNIST IDX image file",
            match kind_of(data.get(..4).unwrap_or(data)) {
                Some(Kind::Labels) => "; it is a label file, pass the images file",
                _ => "",
            },
        )
    } else {
        ("an MNIST IDX label file", "")
    };
    bail!(
        "{}: not {wanted}: expected magic 0x{want:08x}, found {}{advice}",
        path.display(),
        describe_magic(data)
    )
}

/// Describes the first four bytes of a would-be IDX file for error messages: the magic, and for
/// an IDX header (two zero bytes, a type code, a dimension count) what it declares.
fn describe_magic(data: &[u8]) -> String {
    match data {
        [a, b, c, d, ..] => {
            let magic = u32::from_be_bytes([*a, *b, *c, *d]);
            let what = match (kind_of(&data[..4]), idx_type_name(data)) {
                (Some(Kind::Images), _) => " (IDX images)".to_string(),
                (Some(Kind::Labels), _) => " (IDX labels)".to_string(),
                (None, Some(ty)) => format!(
                    " (IDX type code 0x{c:02x} = {ty}, {d} dimension{})",
                    if *d == 1 { "" } else { "s" }
                ),
                (None, None) => String::new(),
            };
            format!("0x{magic:08x}{what}")
        }
        _ => format!("only {} bytes", data.len()),
    }
}

/// The element type an IDX header declares (two zero bytes, then a type code), if `head` is one.
fn idx_type_name(head: &[u8]) -> Option<&'static str> {
    match head {
        [0, 0, code, _, ..] => match code {
            0x08 => Some("unsigned byte"),
            0x09 => Some("signed byte"),
            0x0B => Some("16-bit integer"),
            0x0C => Some("32-bit integer"),
            0x0D => Some("32-bit float"),
            0x0E => Some("64-bit float"),
            _ => None,
        },
        _ => None,
    }
}

/// For a file that [`sniff`] found to be neither MNIST images nor labels: an error saying what
/// it is not when it looks like an IDX file (an IDX header of another type or dimension count,
/// or an IDX-style name such as `x.idx` or `*-ubyte`), so that it is not reported as a broken
/// PNG. `head` is the start of the file.
pub(crate) fn refuse_idx_lookalike(path: &Path, head: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let idx_name = name.ends_with(".idx")
        || name.contains("idx1")
        || name.contains("idx3")
        || name.contains("ubyte");
    if idx_type_name(head).is_some() || idx_name {
        bail!(
            "{}: not an MNIST IDX file: magic {}, but MNIST images have 0x{IMAGES_MAGIC:08x} (unsigned bytes, 3 dimensions) and labels 0x{LABELS_MAGIC:08x} (unsigned bytes, 1 dimension)",
            path.display(),
            describe_magic(head)
        );
    }
    Ok(())
}

fn check_length(path: &Path, data: &[u8], expected: usize, gz: bool, declared: &str) -> Result<()> {
    let actual = data.len();
    if actual == expected {
        return Ok(());
    }
    let problem = if actual < expected {
        "truncated"
    } else {
        "trailing data"
    };
    bail!(
        "{}: {problem}: the header declares {declared}, so expected {expected} bytes, found {actual} bytes{}",
        path.display(),
        gz_note(gz)
    )
}

fn gz_note(gz: bool) -> &'static str {
    if gz {
        " (after gunzip)"
    } else {
        ""
    }
}

/// Big-endian u32 at `at`; callers have checked that four bytes are there.
fn be_u32(data: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}
