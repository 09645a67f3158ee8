//! A small labelled MNIST-like digit set that the project draws itself at run time, so that
//! every tool, test and demo works without downloading anything.
//!
//! Each image is a 28x28 white-on-black digit (background 0, stroke centres 255, soft edges),
//! drawn from a few line and arc strokes per class ([`glyphs`]). Every image varies its shape
//! parts and gets a random slant, rotation, scale, aspect, gentle wobble, pen width and a shift of
//! up to +-2 pixels, so the classes are learnable but no two samples are identical. Everything is
//! plain integer/float arithmetic from a seeded ChaCha stream, so a (split, count, seed) triple
//! always gives the same images, on every platform.

mod geom;
mod glyphs;
mod raster;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use self::geom::{sin_cos, Pt};
use crate::{Dataset, Image, Split};

/// Training images made by `load("builtin", Split::Train)`.
pub const DEFAULT_TRAIN: usize = 2000;
/// Test images made by `load("builtin", Split::Test)`.
pub const DEFAULT_TEST: usize = 500;
/// Seed used by `load("builtin", ..)`.
pub const DEFAULT_SEED: u64 = 0;

/// Image side, as MNIST.
const SIZE: usize = 28;

/// `count` procedurally drawn digits; image `k` shows digit `k % 10` (so every class has an equal
/// share) and its label is that digit. The training and test splits of one seed use different
/// ChaCha streams, so they never share an image, and image `k` does not depend on `count`: a
/// smaller set is a prefix of a larger one.
pub fn digits(split: Split, count: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(match split {
        Split::Train => 1,
        Split::Test => 2,
    });
    let mut images = Vec::with_capacity(count);
    let mut labels = Vec::with_capacity(count);
    for k in 0..count {
        let digit = (k % 10) as u8;
        images.push(draw_digit(digit, &mut rng));
        labels.push(digit);
    }
    Dataset {
        images,
        labels: Some(labels),
        source: format!("builtin:{split} ({count} procedural digits, seed {seed})"),
    }
}

/// One randomly varied sample of `digit`.
fn draw_digit(digit: u8, rng: &mut ChaCha8Rng) -> Image {
    let strokes = glyphs::strokes(digit, rng);
    let pose = Pose::random(rng);
    let placed: Vec<Vec<Pt>> = strokes
        .iter()
        .map(|s| s.iter().map(|&p| pose.apply(p)).collect())
        .collect();
    let half_width = rng.gen_range(0.8..1.7);
    let canvas = raster::draw(&placed, half_width, SIZE);
    let pixels = canvas.iter().map(|&v| (v * 255.0 + 0.5) as u8).collect(); // v >= 0: rounds half up
    Image {
        height: SIZE,
        width: SIZE,
        pixels,
    }
}

/// The random placement of one digit: scale, aspect, slant, rotation, wobble and shift.
struct Pose {
    /// Linear part (row-major 2x2) combining scale, aspect, slant and rotation.
    m: [f32; 4],
    /// Shift of the digit centre from the image centre, in pixels.
    shift: Pt,
    /// Low-frequency sinusoidal displacement: amplitude, frequency, phase for x(y) and y(x).
    wobble: [(f32, f32, f32); 2],
}

impl Pose {
    fn random(rng: &mut ChaCha8Rng) -> Self {
        let scale = rng.gen_range(0.82..1.02f32);
        let sx = scale * rng.gen_range(0.8..1.15f32);
        let sy = scale;
        // MNIST digits lean right more often than left.
        let slant = rng.gen_range(-0.12..0.35f32);
        let (sin, cos) = sin_cos(rng.gen_range(-0.15..0.15f64));
        let (sin, cos) = (sin as f32, cos as f32);
        // rotation * slant * scale, applied to a column vector (x, y); slant moves the top right.
        let (a, b, c, d) = (sx, -slant * sy, 0.0, sy);
        let m = [
            cos * a - sin * c,
            cos * b - sin * d,
            sin * a + cos * c,
            sin * b + cos * d,
        ];
        let shift = Pt::new(rng.gen_range(-2.0..=2.0), rng.gen_range(-2.0..=2.0));
        let mut wave = || {
            (
                rng.gen_range(0.0..0.8f32),
                rng.gen_range(0.15..0.4f32),
                rng.gen_range(0.0..6.3f32),
            )
        };
        let wobble = [wave(), wave()];
        Self { m, shift, wobble }
    }

    fn apply(&self, p: Pt) -> Pt {
        let [m00, m01, m10, m11] = self.m;
        let (x, y) = (m00 * p.x + m01 * p.y, m10 * p.x + m11 * p.y);
        let wave = |(amp, freq, phase): (f32, f32, f32), t: f32| {
            amp * sin_cos(f64::from(freq * t + phase)).0 as f32
        };
        let centre = SIZE as f32 / 2.0;
        Pt::new(
            centre + self.shift.x + x + wave(self.wobble[0], y),
            centre + self.shift.y + y + wave(self.wobble[1], x),
        )
    }
}
