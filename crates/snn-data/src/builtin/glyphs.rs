//! The ten digit shapes, as strokes with per-image random variation of their parts.
//!
//! Coordinates are pixels relative to the image centre, x right, y down; a digit spans about
//! y in [-9.5, 9.5] and x in [-6, 6], like MNIST's 20-pixel-high digits in a 28x28 frame. Angles
//! of arcs are in degrees with 0 = right, 90 = down, 180 = left, 270 = up, so increasing angles
//! run clockwise on screen, the way most digits are written.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::geom::{sin_cos, Pt};

/// Spacing, in pixels, between the points sampled along an arc: the chords then deviate from the
/// true curve by about 0.1 pixel at the smallest radii used, invisible under a 2-3 pixel pen, while
/// keeping the segment count (and so the drawing time) low.
const ARC_STEP: f32 = 2.0;

/// Strokes of `digit` (0..=9) with random variation of centres, radii, end points and optional
/// parts, so that no two samples of a class are the same shape.
pub(super) fn strokes(digit: u8, rng: &mut ChaCha8Rng) -> Vec<Vec<Pt>> {
    let mut s = Sketch {
        rng,
        strokes: Vec::new(),
    };
    match digit {
        0 => {
            let start = s.jit(180.0);
            let overlap = s.rng.gen_range(0.0..25.0);
            let ring = s.arc(0.0, 0.0, 5.3, 9.3, 270.0 + start, 630.0 + start + overlap);
            s.stroke(ring);
        }
        1 => {
            let top = s.pt(0.5, -9.5);
            let bottom = s.pt(-0.3, 9.5);
            s.stroke(vec![top, bottom]);
            if s.chance(0.35) {
                let flag = s.pt(-3.0, -6.0);
                s.stroke(vec![flag, top]);
            }
            if s.chance(0.15) {
                let (l, r) = (s.pt(-3.0, 9.5), s.pt(2.5, 9.5));
                s.stroke(vec![l, r]);
            }
        }
        2 => {
            let mut line = s.arc(0.0, -4.5, 5.0, 5.0, 195.0, 395.0);
            let corner = s.pt(-5.5, 9.5);
            let end = s.pt(5.5, 9.5);
            line.extend([corner, end]);
            s.stroke(line);
        }
        3 => {
            let mut line = s.arc(0.0, -5.0, 4.6, 4.5, 200.0, 450.0);
            let mid_x = s.jit(1.0) - 0.5;
            let end = 520.0 + s.jit(15.0);
            line.extend(s.arc_exact(Pt::new(mid_x, 4.7), 5.5, 4.9, 268.0, end));
            s.stroke(line);
        }
        4 => {
            let cross_y = 2.5 + s.jit(1.0);
            if s.chance(0.5) {
                // Closed 4: one diagonal from the top of the stem.
                let top = s.pt(2.5, -9.5);
                let left = s.pt(-5.5, cross_y);
                let right = s.pt(6.0, cross_y);
                let bottom = s.pt(2.5, 9.5);
                s.stroke(vec![right, left, top, bottom]);
            } else {
                // Open 4: a separate left stroke, as many people write it.
                let start = s.pt(-4.0, -9.0);
                let corner = s.pt(-4.8, cross_y);
                let right = s.pt(6.0, cross_y);
                s.stroke(vec![start, corner, right]);
                let (top, bottom) = (s.pt(3.0, -9.0), s.pt(2.8, 9.5));
                s.stroke(vec![top, bottom]);
            }
        }
        5 => {
            let right = s.pt(5.0, -9.5);
            let left = s.pt(-3.5, -9.5);
            let knee = s.pt(-4.3, -1.2);
            let mut line = vec![right, left, knee];
            line.extend(s.arc(0.0, 3.8, 5.5, 5.6, 235.0, 505.0));
            s.stroke(line);
        }
        6 => {
            let mut line = s.arc(4.0, 2.0, 9.0, 11.5, 245.0, 170.0);
            line.extend(s.arc(0.0, 4.5, 5.0, 4.8, 180.0, 545.0));
            s.stroke(line);
        }
        7 => {
            let left = s.pt(-5.5, -9.5);
            let right = s.pt(5.5, -9.5);
            let foot = s.pt(-1.0, 9.5);
            s.stroke(vec![left, right, foot]);
            if s.chance(0.2) {
                let (l, r) = (s.pt(-2.5, 0.0), s.pt(3.5, 0.0));
                s.stroke(vec![l, r]);
            }
        }
        8 => {
            let a = s.jit(30.0);
            let upper = s.arc(0.0, -5.0, 4.3, 4.4, 90.0 + a, 450.0 + a + 10.0);
            s.stroke(upper);
            let b = s.jit(30.0);
            let lower = s.arc(0.0, 4.6, 5.3, 4.9, 270.0 + b, 630.0 + b + 10.0);
            s.stroke(lower);
        }
        _ => {
            let loop_ = s.arc(0.0, -4.5, 5.0, 4.8, 0.0, 370.0);
            s.stroke(loop_);
            let (top, foot) = (s.pt(5.0, -4.5), s.pt(4.0, 9.5));
            s.stroke(vec![top, foot]);
        }
    }
    s.strokes
}

/// Collects strokes and draws the random variations from the image's RNG.
struct Sketch<'r> {
    rng: &'r mut ChaCha8Rng,
    strokes: Vec<Vec<Pt>>,
}

impl Sketch<'_> {
    /// Uniform in [-a, a].
    fn jit(&mut self, a: f32) -> f32 {
        self.rng.gen_range(-a..=a)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    /// A key point moved by up to 0.7 pixels in each direction.
    fn pt(&mut self, x: f32, y: f32) -> Pt {
        Pt::new(x + self.jit(0.7), y + self.jit(0.7))
    }

    /// An elliptical arc with its centre, radii (up to 10%) and end angles (up to 10 degrees)
    /// varied.
    fn arc(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, from: f32, to: f32) -> Vec<Pt> {
        let centre = self.pt(cx, cy);
        let (rx, ry) = (rx * (1.0 + self.jit(0.1)), ry * (1.0 + self.jit(0.1)));
        let (from, to) = (from + self.jit(10.0), to + self.jit(10.0));
        self.arc_exact(centre, rx, ry, from, to)
    }

    /// Points along an elliptical arc from angle `from` to `to` (degrees; `to < from` runs
    /// anticlockwise), spaced about [`ARC_STEP`] apart.
    fn arc_exact(&self, centre: Pt, rx: f32, ry: f32, from: f32, to: f32) -> Vec<Pt> {
        let sweep = (to - from).to_radians();
        let steps = ((sweep.abs() * 0.5 * (rx + ry)) / ARC_STEP).ceil().max(2.0) as usize;
        (0..=steps)
            .map(|i| {
                let angle = f64::from(from.to_radians() + sweep * i as f32 / steps as f32);
                let (sin, cos) = sin_cos(angle);
                Pt::new(centre.x + rx * cos as f32, centre.y + ry * sin as f32)
            })
            .collect()
    }

    fn stroke(&mut self, points: Vec<Pt>) {
        self.strokes.push(points);
    }
}
