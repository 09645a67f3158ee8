//! Points and the platform-independent trigonometry the digit generator needs.

/// A point in pixel units, x to the right, y downwards.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Pt {
    pub x: f32,
    pub y: f32,
}

impl Pt {
    pub fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
}

/// 1 / ((2k) (2k + 1)) for k = 1..=9: the ratios of successive terms of the sine series.
const SIN_INV: [f64; 9] = [
    1.0 / 6.0,
    1.0 / 20.0,
    1.0 / 42.0,
    1.0 / 72.0,
    1.0 / 110.0,
    1.0 / 156.0,
    1.0 / 210.0,
    1.0 / 272.0,
    1.0 / 342.0,
];
/// 1 / ((2k - 1) (2k)) for k = 1..=9: the same for the cosine series.
const COS_INV: [f64; 9] = [
    1.0 / 2.0,
    1.0 / 12.0,
    1.0 / 30.0,
    1.0 / 56.0,
    1.0 / 90.0,
    1.0 / 132.0,
    1.0 / 182.0,
    1.0 / 240.0,
    1.0 / 306.0,
];

/// `(sin, cos)` of an angle in radians, computed with plain arithmetic (range reduction and a
/// Taylor series evaluated by Horner's rule). The platform `sin`/`cos` may differ in the last bit
/// between systems, which could flip a rounded pixel; this version gives the same built-in digit
/// set, bit for bit, everywhere. Accuracy (~1e-8 on the reduced range) is far beyond what drawing
/// needs.
pub(super) fn sin_cos(rad: f64) -> (f64, f64) {
    use std::f64::consts::TAU;
    // Nearest whole number of turns, by a truncating cast (f64::round is a libm call on baseline
    // x86-64 and showed up in profiles).
    let turns = rad / TAU;
    let whole = (turns + 0.5f64.copysign(turns)) as i64 as f64;
    let x = rad - TAU * whole; // now in [-pi, pi]
    let x2 = x * x;
    // sin x = x (1 - x^2/(2*3) (1 - x^2/(4*5) (1 - ...))), cos x = 1 - x^2/(1*2) (1 - x^2/(3*4) (...)),
    // innermost factor first; the reciprocals are constants so the loop has no divisions.
    let mut sin = 1.0;
    let mut cos = 1.0;
    for (s_inv, c_inv) in SIN_INV.iter().zip(&COS_INV).rev() {
        sin = 1.0 - x2 * s_inv * sin;
        cos = 1.0 - x2 * c_inv * cos;
    }
    (x * sin, cos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sin_cos_matches_std() {
        for i in -400..=400 {
            let a = f64::from(i) * 0.05;
            let (s, c) = sin_cos(a);
            assert!(
                (s - a.sin()).abs() < 1e-7 && (c - a.cos()).abs() < 1e-7,
                "angle {a}"
            );
        }
    }
}
