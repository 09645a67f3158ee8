//! `LowestClass`: the period class of a class mask's lowest bit (`snn_arch::StepCounters::class`
//! of `mask.trailing_zeros()`), for the list RAMs' read address. Bit `k - 1` of a mask stands
//! for the `k`-th multiple of a period, whose class is `q[k] - lo`; the class of the next step's
//! mask (`q[k] + 1 - lo`, read off the counters before they advance) is the same block with the
//! base `lo - 1`.

use rust_hdl::prelude::*;
use snn_arch::widths::{CLASS_BITS, MASK_BITS, STEP_BITS};
use snn_arch::HwParams;

/// Which step the mask belongs to, relative to the counters given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// The counters' own step: class `q[k] - lo`.
    Same,
    /// The step after the counters' (their `mask(x + 1)`): class `q[k] + 1 - lo`.
    Next,
}

#[derive(LogicBlock)]
pub struct LowestClass {
    pub mask: Signal<In, Bits<MASK_BITS>>,
    pub q: Vec<Signal<In, Bits<STEP_BITS>>>,
    /// The class of `mask`'s lowest bit (meaningless when `mask` is 0).
    pub cls: Signal<Out, Bits<CLASS_BITS>>,
    /// `q[k]` of the lowest bit.
    sel: Signal<Local, Bits<STEP_BITS>>,
    /// The bits below bit `k - 1`: a set bit is the lowest when its `below` bits are clear.
    below: Vec<Constant<Bits<MASK_BITS>>>,
    /// `lo`, or `lo - 1` for [`Base::Next`].
    base: Constant<Bits<STEP_BITS>>,
    _k: usize,
}

impl LowestClass {
    pub fn new(p: &HwParams, base: Base) -> Self {
        snn_arch::limits::assert_rtl(p);
        LowestClass {
            mask: Default::default(),
            q: (0..p.k).map(|_| Default::default()).collect(),
            cls: Default::default(),
            sel: Default::default(),
            below: (0..p.k)
                .map(|i| Constant::new(Bits::<MASK_BITS>::from((1u64 << i) - 1)))
                .collect(),
            base: Constant::new(Bits::<STEP_BITS>::from(
                p.lo as u64 - (base == Base::Next) as u64,
            )),
            _k: p.k,
        }
    }
}

impl Logic for LowestClass {
    #[hdl_gen]
    fn update(&mut self) {
        self.sel.next = 0.into();
        for k in 0..self._k {
            if self.mask.val().get_bit(k) & !(self.mask.val() & self.below[k].val()).any() {
                self.sel.next = self.q[k].val();
            }
        }
        self.cls.next = bit_cast::<CLASS_BITS, STEP_BITS>(self.sel.val() - self.base.val());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::lint_and_synth;
    use snn_arch::StepCounters;
    use snn_core::config::SnnConfig;

    /// For every step value, the class of every non-empty sub-mask of its class mask (the
    /// masks `pend` passes through) is the model's `StepCounters::class` of its lowest bit; with
    /// `Base::Next` and the counters of the step before, likewise.
    #[test]
    fn lowest_class_is_the_models() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        let mut same = LowestClass::new(&p, Base::Same);
        let mut next = LowestClass::new(&p, Base::Next);
        same.connect_all();
        next.connect_all();
        let mut before = StepCounters::one();
        let mut seen = 0;
        for x in 2..=p.t_steps {
            let now = StepCounters::at(x, &p);
            let full = now.mask(&p);
            // Every sub-mask, lowest bits removed one by one.
            let mut mask = full;
            while mask != 0 {
                let want = now.class(mask.trailing_zeros(), &p) as u64;
                for k in 0..p.k {
                    same.q[k].next = (now.q[k] as u64).into();
                    next.q[k].next = (before.q[k] as u64).into();
                }
                same.mask.next = mask.into();
                next.mask.next = mask.into();
                assert!(simulate(&mut same, 100) && simulate(&mut next, 100));
                assert_eq!(same.cls.val().to_u64(), want, "x {x} mask {mask:b}");
                assert_eq!(next.cls.val().to_u64(), want, "ahead, x {x} mask {mask:b}");
                mask &= mask - 1;
                seen += 1;
            }
            before = now;
        }
        assert!(seen > 100, "{seen} masks");
    }

    #[test]
    fn lowest_class_synthesizes_without_latches() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        lint_and_synth(&mut LowestClass::new(&p, Base::Same), "lowest_class");
    }
}
