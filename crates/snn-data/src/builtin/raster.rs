//! Anti-aliased rendering of thick polylines into a small grayscale canvas.

use super::geom::Pt;

/// Width of the soft edge, in pixels, over which a stroke fades from full to zero intensity.
/// About one and a half pixels mimics the blurred edges of MNIST's digits (which were
/// anti-aliased when they were size-normalised).
const EDGE: f32 = 1.2;

/// Draws polylines of half-width `half_width` onto a `size` x `size` canvas of intensities in
/// [0, 1]. A pixel's value is the strongest coverage of any segment at its centre (max, not sum,
/// so crossing strokes do not saturate into blobs): 1 within `half_width` of the centre line,
/// fading smoothly to 0 over [`EDGE`] pixels.
///
/// Only the pixels in each segment's bounding box are visited, which keeps generation of
/// thousands of images in the millisecond range.
pub(super) fn draw(strokes: &[Vec<Pt>], half_width: f32, size: usize) -> Vec<f32> {
    let mut canvas = vec![0.0f32; size * size];
    let reach = half_width + EDGE;
    let max_index = size as f32 - 1.0;
    for stroke in strokes {
        for seg in stroke.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            // Pixel (r, c) has its centre at (c + 0.5, r + 0.5).
            let span = |lo: f32, hi: f32| {
                let first = (lo - reach - 0.5).ceil().clamp(0.0, max_index) as usize;
                let last = (hi + reach - 0.5).floor().clamp(-1.0, max_index);
                (first, last)
            };
            let (c0, c1) = span(a.x.min(b.x), a.x.max(b.x));
            let (r0, r1) = span(a.y.min(b.y), a.y.max(b.y));
            if c1 < 0.0 || r1 < 0.0 {
                continue;
            }
            let seg = Segment::new(a, b);
            for r in r0..=r1 as usize {
                let y = r as f32 + 0.5;
                let row = &mut canvas[r * size + c0..=r * size + c1 as usize];
                // Branch-free so that the compiler can vectorise the row.
                for (i, px) in row.iter_mut().enumerate() {
                    let d = seg.distance2((c0 + i) as f32 + 0.5, y).sqrt();
                    *px = px.max(coverage(d, half_width));
                }
            }
        }
    }
    canvas
}

fn coverage(d: f32, half_width: f32) -> f32 {
    let t = ((half_width + EDGE - d) / EDGE).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t) // smoothstep: no visible kink at either end of the edge
}

/// A segment prepared for many distance queries.
struct Segment {
    a: Pt,
    ab: Pt,
    inv_len2: f32,
}

impl Segment {
    fn new(a: Pt, b: Pt) -> Self {
        let ab = Pt::new(b.x - a.x, b.y - a.y);
        let len2 = ab.x * ab.x + ab.y * ab.y;
        Self {
            a,
            ab,
            inv_len2: if len2 > 0.0 { 1.0 / len2 } else { 0.0 },
        }
    }

    /// Squared distance from (x, y) to the closest point of the segment.
    fn distance2(&self, x: f32, y: f32) -> f32 {
        let (apx, apy) = (x - self.a.x, y - self.a.y);
        let t = ((apx * self.ab.x + apy * self.ab.y) * self.inv_len2).clamp(0.0, 1.0);
        let (dx, dy) = (apx - t * self.ab.x, apy - t * self.ab.y);
        dx * dx + dy * dy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizontal_line_is_bright_on_and_dark_off() {
        let line = vec![vec![Pt::new(2.0, 5.5), Pt::new(8.0, 5.5)]];
        let c = draw(&line, 1.0, 10);
        assert_eq!(c[5 * 10 + 5], 1.0);
        assert_eq!(c[0], 0.0);
        assert!(c[7 * 10 + 5] > 0.0 && c[7 * 10 + 5] < 1.0, "soft edge");
    }

    #[test]
    fn strokes_outside_the_canvas_are_clipped() {
        let line = vec![
            vec![Pt::new(-20.0, -20.0), Pt::new(-10.0, -3.0)],
            vec![Pt::new(40.0, 3.0), Pt::new(50.0, 3.0)],
        ];
        assert!(draw(&line, 1.0, 10).iter().all(|&v| v == 0.0));
    }
}
