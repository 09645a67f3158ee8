//! PNG reading (any colour type, converted to 8-bit grayscale) and writing (8-bit grayscale).

use std::io::Cursor;
use std::path::Path;

use anyhow::{bail, Context, Result};
use image::{DynamicImage, ImageFormat};

use crate::{write_atomic, Image};

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

/// Reads a PNG as 8-bit grayscale (SPEC section 2):
/// - gray: as is; gray+alpha: the gray channel (alpha is ignored, not composited);
/// - RGB / RGBA / palette: luma, see [`luma`];
/// - 16-bit samples: scaled to 8 bits by keeping the high byte (`>> 8`), before the luma step.
pub fn read(path: &Path) -> Result<Image> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if !has_signature(&bytes) {
        bail!(
            "{}: not a PNG image ({})",
            path.display(),
            describe_start(&bytes)
        );
    }
    let decoded = image::load_from_memory_with_format(&bytes, ImageFormat::Png)
        .with_context(|| format!("{}: corrupt PNG image", path.display()))?;
    let (width, height) = (decoded.width() as usize, decoded.height() as usize);
    Ok(Image {
        height,
        width,
        pixels: to_gray8(decoded),
    })
}

/// Whether `bytes` start with the PNG signature.
pub(crate) fn has_signature(bytes: &[u8]) -> bool {
    bytes.starts_with(&PNG_SIGNATURE)
}

/// The first bytes of a file that is not what it should be, for error messages.
pub(crate) fn describe_start(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "the file is empty".to_string();
    }
    let head: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("starts with bytes {}", head.join(" "))
}

/// Writes an 8-bit grayscale PNG atomically (see [`write_atomic`]).
pub fn write(path: &Path, img: &Image) -> Result<()> {
    let (Ok(w), Ok(h)) = (u32::try_from(img.width), u32::try_from(img.height)) else {
        bail!(
            "{}: image of {}x{} is too large for PNG",
            path.display(),
            img.height,
            img.width
        );
    };
    let Some(gray) = image::GrayImage::from_raw(w, h, img.pixels.clone()) else {
        bail!(
            "{}: image claims {}x{} but has {} pixels",
            path.display(),
            img.height,
            img.width,
            img.pixels.len()
        );
    };
    let mut encoded = Cursor::new(Vec::new());
    gray.write_to(&mut encoded, ImageFormat::Png)
        .with_context(|| format!("{}: PNG encoding failed", path.display()))?;
    write_atomic(path, encoded.get_ref())
}

/// Luma of an 8-bit RGB triple, bit-exact with OpenCV's `cvtColor(..., COLOR_RGB2GRAY)` for 8-bit
/// data: OpenCV approximates 0.299 R + 0.587 G + 0.114 B with 14-bit fixed-point coefficients
/// (4899 + 9617 + 1868 = 16384) and rounds by adding half of 2^14 before the shift. Using the same
/// integers (rather than rounding the float formula) makes our pixels identical to those of the
/// original OpenCV-based experiments, including at the half-way cases.
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    let y = (u32::from(r) * 4899 + u32::from(g) * 9617 + u32::from(b) * 1868 + 8192) >> 14;
    // The coefficients sum to 2^14, so y <= 255 and the conversion is exact.
    y as u8
}

fn to_gray8(img: DynamicImage) -> Vec<u8> {
    let high = |v: u16| (v >> 8) as u8;
    match img {
        DynamicImage::ImageLuma8(g) => g.into_raw(),
        DynamicImage::ImageLumaA8(g) => g.pixels().map(|p| p.0[0]).collect(),
        DynamicImage::ImageLuma16(g) => g.pixels().map(|p| high(p.0[0])).collect(),
        DynamicImage::ImageLumaA16(g) => g.pixels().map(|p| high(p.0[0])).collect(),
        DynamicImage::ImageRgb8(c) => c.pixels().map(|p| luma(p.0[0], p.0[1], p.0[2])).collect(),
        DynamicImage::ImageRgba8(c) => c.pixels().map(|p| luma(p.0[0], p.0[1], p.0[2])).collect(),
        DynamicImage::ImageRgb16(c) => c
            .pixels()
            .map(|p| luma(high(p.0[0]), high(p.0[1]), high(p.0[2])))
            .collect(),
        DynamicImage::ImageRgba16(c) => c
            .pixels()
            .map(|p| luma(high(p.0[0]), high(p.0[1]), high(p.0[2])))
            .collect(),
        // The PNG decoder never produces float images; convert generically should a future
        // decoder version do so.
        other => other
            .to_rgb8()
            .pixels()
            .map(|p| luma(p.0[0], p.0[1], p.0[2]))
            .collect(),
    }
}
