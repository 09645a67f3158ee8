//! `AtLeast`: comparison of a value with a constant, written as plain logic.
//!
//! Yosys maps every `<`/`>=` onto an iCE40 carry chain (a LUT and an `SB_CARRY` per bit), even
//! when one side is a constant, and ABC cannot optimise through carry cells. Written as a
//! bit-serial chain of ANDs and ORs whose constant operands fold away, the same comparison costs
//! about a third of the LUTs and no carries, and comparators of one value against many constants
//! (the period classes) share logic.

use rust_hdl::prelude::*;

/// `ge = x >= c` for a constant `c` fixed at construction (`0 <= c <= 2^W`; `c = 2^W` never
/// holds). Unsigned; compare two's-complement values in offset binary (sign bit flipped).
#[derive(LogicBlock)]
pub struct AtLeast<const W: usize> {
    /// The value, from the parent.
    pub x: Signal<In, Bits<W>>,
    /// `x >= c`, combinational.
    pub ge: Signal<Out, Bit>,
    /// Bit `i` of `c`.
    one: Vec<Constant<Bit>>,
    /// `c < 2^W`: some `x` reaches it.
    reachable: Constant<Bit>,
    /// `chain[i]`: bits `i..=0` of `x` are at least bits `i..=0` of `c`.
    chain: Vec<Signal<Local, Bit>>,
}

impl<const W: usize> AtLeast<W> {
    pub fn new(c: u64) -> Self {
        assert!(W >= 1 && W < 64, "1..64-bit comparisons");
        assert!(c <= 1 << W, "{c} is outside the {W}-bit range (plus one)");
        AtLeast {
            x: Default::default(),
            ge: Default::default(),
            one: (0..W).map(|i| Constant::new(c >> i & 1 == 1)).collect(),
            reachable: Constant::new(c < 1 << W),
            chain: (0..W).map(|_| Default::default()).collect(),
        }
    }
}

impl<const W: usize> Logic for AtLeast<W> {
    #[hdl_gen]
    fn update(&mut self) {
        self.chain[0].next = self.x.val().get_bit(0) | !self.one[0].val();
        for i in 1..W {
            // Higher bit decides when it differs; equal bits defer to the lower ones.
            self.chain[i].next = (self.x.val().get_bit(i) & !self.one[i].val())
                | (!(self.x.val().get_bit(i) ^ self.one[i].val()) & self.chain[i - 1].val());
        }
        for i in (W - 1)..W {
            self.ge.next = self.chain[i].val() & self.reachable.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::lint_and_synth;

    /// Every 6-bit value against constants across the range, in rust-hdl's simulation.
    #[test]
    fn compares_like_the_integers() {
        for c in [0u64, 1, 5, 31, 32, 63, 64] {
            let mut uut = AtLeast::<6>::new(c);
            uut.connect_all();
            for x in 0..64u64 {
                uut.x.next = x.into();
                assert!(simulate(&mut uut, 100), "settles");
                assert_eq!(uut.ge.val(), x >= c, "{x} >= {c}");
            }
        }
    }

    /// A 16-bit comparison with a constant: a few LUTs, no carry chain.
    #[test]
    fn at_least_synthesizes_without_carries() {
        if let Some(r) = lint_and_synth(&mut AtLeast::<16>::new(5674), "at_least") {
            assert_eq!(r.carries, 0, "{r:?}");
            assert!(r.luts <= 8, "{r:?}");
        }
    }
}
