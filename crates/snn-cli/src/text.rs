//! Text on the pictures (`snn plot`, `snn reconstruct`), drawn with the embedded DejaVu Sans.
//!
//! plotters' own text drawing places every glyph by its bounding box, rounded toward zero, and
//! without its side bearing, so a decimal point floats above the baseline ("8·333") and letters
//! crowd. Here glyphs are laid out the usual way: on one baseline, advanced by their advance
//! widths and kerning, each drawn at its exact pixel bounds. plotters still draws the lines.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use image::{GrayImage, Luma, Rgb, RgbImage};

/// Horizontal anchor of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Start,
    Middle,
    End,
}

/// One text to draw: anchored at `x`, its baseline at `baseline` (or, when `upward`, turned a
/// quarter to read bottom to top, centred on (`x`, `baseline`)).
#[derive(Clone, Debug)]
pub struct Label {
    pub text: String,
    pub size: f32,
    pub x: f32,
    pub baseline: f32,
    pub align: Align,
    pub color: Rgb<u8>,
    pub upward: bool,
}

impl Label {
    pub fn new(
        text: impl Into<String>,
        size: f32,
        (x, baseline): (f32, f32),
        align: Align,
    ) -> Self {
        Label {
            text: text.into(),
            size,
            x,
            baseline,
            align,
            color: Rgb([0, 0, 0]),
            upward: false,
        }
    }
}

/// The embedded font, ready to draw.
pub struct Pen {
    font: FontRef<'static>,
}

impl Pen {
    pub fn new() -> Self {
        Pen {
            font: FontRef::try_from_slice(dejavu::sans::regular())
                .expect("the embedded DejaVu Sans is a valid font"),
        }
    }

    /// The advance width of `text` in pixels.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let font = self.font.as_scaled(PxScale::from(size));
        let mut caret = 0.0;
        let mut prev = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                caret += font.kern(p, id);
            }
            caret += font.h_advance(id);
            prev = Some(id);
        }
        caret
    }

    /// `size`, or the smaller size at which `text` fits in `max_width` pixels.
    pub fn fit(&self, text: &str, size: f32, max_width: f32) -> f32 {
        let width = self.width(text, size);
        if width <= max_width {
            size
        } else {
            size * max_width / width
        }
    }

    /// `text` as coverage (0-255), with the position of its start on the baseline.
    fn mask(&self, text: &str, size: f32) -> (GrayImage, (u32, u32)) {
        let font = self.font.as_scaled(PxScale::from(size));
        let (ascent, descent) = (font.ascent().ceil(), (-font.descent()).ceil());
        let width = self.width(text, size).ceil() as u32 + 2;
        let height = (ascent + descent) as u32 + 2;
        let mut mask = GrayImage::new(width, height);
        let (x0, base) = (1.0, ascent + 1.0);
        let mut caret = x0;
        let mut prev = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                caret += font.kern(p, id);
            }
            let glyph = id.with_scale_and_position(PxScale::from(size), point(caret, base));
            if let Some(outline) = self.font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|x, y, coverage| {
                    let (px, py) = (b.min.x as i32 + x as i32, b.min.y as i32 + y as i32);
                    if px >= 0 && py >= 0 && (px as u32) < width && (py as u32) < height {
                        let v = mask.get_pixel_mut(px as u32, py as u32);
                        v.0[0] = v.0[0].max((coverage.clamp(0.0, 1.0) * 255.0).round() as u8);
                    }
                });
            }
            caret += font.h_advance(id);
            prev = Some(id);
        }
        (mask, (x0 as u32, base as u32))
    }

    /// Draws `label` onto `img` (clipped at its edges).
    pub fn draw(&self, img: &mut RgbImage, label: &Label) {
        let (mask, (x0, base)) = self.mask(&label.text, label.size);
        let (left, top) = if label.upward {
            let turned = image::imageops::rotate270(&mask);
            let (w, h) = turned.dimensions();
            let at = (label.x - w as f32 / 2.0, label.baseline - h as f32 / 2.0);
            composite(img, &turned, at, label.color);
            return;
        } else {
            let advance = self.width(&label.text, label.size);
            let before = match label.align {
                Align::Start => 0.0,
                Align::Middle => advance / 2.0,
                Align::End => advance,
            };
            (label.x - x0 as f32 - before, label.baseline - base as f32)
        };
        composite(img, &mask, (left, top), label.color);
    }
}

/// Blends `color` into `img` with the coverage of `mask` placed at `(left, top)`.
fn composite(img: &mut RgbImage, mask: &GrayImage, (left, top): (f32, f32), color: Rgb<u8>) {
    let (left, top) = (left.round() as i64, top.round() as i64);
    for (x, y, Luma([c])) in mask.enumerate_pixels() {
        let (px, py) = (left + x as i64, top + y as i64);
        if *c == 0 || px < 0 || py < 0 || px >= img.width() as i64 || py >= img.height() as i64 {
            continue;
        }
        let a = *c as f32 / 255.0;
        let p = img.get_pixel_mut(px as u32, py as u32);
        for k in 0..3 {
            p.0[k] = (p.0[k] as f32 * (1.0 - a) + color.0[k] as f32 * a).round() as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lowest inked row in columns `x0..x1` of `img` (darker than mid-grey).
    fn lowest_ink(img: &RgbImage, x0: u32, x1: u32) -> Option<u32> {
        (0..img.height())
            .rev()
            .find(|&y| (x0..x1).any(|x| img.get_pixel(x, y).0[0] < 128))
    }

    /// A decimal point sits on the baseline with the digits ("8.333", not "8·333").
    #[test]
    fn a_point_sits_on_the_baseline() {
        let pen = Pen::new();
        let mut img = RgbImage::from_pixel(120, 40, Rgb([255, 255, 255]));
        pen.draw(
            &mut img,
            &Label::new("8.333", 15.0, (10.0, 30.0), Align::Start),
        );
        let eight = pen.width("8", 15.0);
        let point = pen.width("8.", 15.0);
        let digit_bottom = lowest_ink(&img, 10, 10 + eight as u32).unwrap();
        let point_bottom = lowest_ink(&img, 11 + eight as u32, 9 + point as u32).unwrap();
        assert_eq!(point_bottom, digit_bottom);
        assert!((29..=30).contains(&digit_bottom), "{digit_bottom}");
    }

    #[test]
    fn alignment_moves_the_text() {
        let pen = Pen::new();
        let ink = |align| {
            let mut img = RgbImage::from_pixel(200, 30, Rgb([255, 255, 255]));
            pen.draw(&mut img, &Label::new("100", 14.0, (100.0, 20.0), align));
            let cols: Vec<u32> = (0..200)
                .filter(|&x| (0..30).any(|y| img.get_pixel(x, y).0[0] < 128))
                .collect();
            (cols[0], *cols.last().unwrap())
        };
        let w = pen.width("100", 14.0);
        let (s0, _) = ink(Align::Start);
        let (_, e1) = ink(Align::End);
        let (m0, m1) = ink(Align::Middle);
        assert!((s0 as f32 - 100.0).abs() <= 2.0, "{s0}");
        assert!((e1 as f32 - 100.0).abs() <= 2.0, "{e1}");
        assert!(
            ((m0 + m1) as f32 / 2.0 - 100.0).abs() <= 2.0,
            "{m0} {m1} {w}"
        );
    }
}
