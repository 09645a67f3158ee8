//! Reproducible pseudo-random test vectors without an RNG crate, the two generators the tests
//! have always used (their sequences are unchanged).

/// Marsaglia's xorshift64. The seed must not be 0.
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        assert_ne!(seed, 0, "xorshift64 stays at 0");
        XorShift(seed)
    }

    /// The next state.
    pub fn next_u64(&mut self) -> u64 {
        let x = &mut self.0;
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// `width` random bits (`width <= 128`).
    pub fn bits(&mut self, width: usize) -> u128 {
        assert!(width <= 128, "{width} bits");
        let v = (self.next_u64() as u128) << 64 | self.next_u64() as u128;
        if width == 128 {
            v
        } else {
            v & ((1u128 << width) - 1)
        }
    }
}

/// The 64-bit linear congruential generator with Knuth's MMIX constants.
#[derive(Clone, Debug)]
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }

    /// The next state (its high bits are the good ones).
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }

    /// A number in `0..n` from the high 31 bits.
    pub fn below(&mut self, n: u64) -> u64 {
        (self.next_u64() >> 33) % n
    }

    /// A deterministic value in `lo..=hi` for a pair of indices (a weight table's entry `(j, i)`),
    /// without a generator's state.
    pub fn pick(j: usize, i: usize, lo: i32, hi: i32) -> i32 {
        let x = (j as u64 * 2_654_435_761 + i as u64 * 40_503 + 977)
            .wrapping_mul(6_364_136_223_846_793_005)
            >> 33;
        (lo as i64 + (x % (hi as i64 - lo as i64 + 1) as u64) as i64) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_are_the_usual_ones() {
        let mut x = XorShift::new(1);
        assert_eq!(x.next_u64(), 1_082_269_761);
        let mut l = Lcg::new(0);
        assert_eq!(l.next_u64(), 1_442_695_040_888_963_407);
        assert!((0..1000).all(|_| l.below(7) < 7));
        assert!(x.bits(100) < 1 << 100);
        for (j, i) in [(0, 0), (3, 9), (99, 783)] {
            assert!((-512..=511).contains(&Lcg::pick(j, i, -512, 511)));
        }
    }
}
