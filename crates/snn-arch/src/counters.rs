//! The step counters (docs/ARCHITECTURE.md, "Class masks"): the arithmetic by which every level
//! finds the period classes spiking at a step without a divider. The cycle model steps
//! [`StepCounters`]; the RTL's counter banks (control's `r/q` and lag counters, stdp's walk
//! counters) are tested against it.

use crate::limits::MAX_K;
use crate::params::HwParams;

/// Divisibility counters of a step value `x`: `r[k-1] = x mod k`, `q[k-1] = x div k` for
/// `k = 1..=K` (entries past `K` are unused). They replace a divider: the set of period classes
/// spiking at `x` is read off them ([`StepCounters::mask`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepCounters {
    pub r: [u32; MAX_K],
    pub q: [u32; MAX_K],
}

impl StepCounters {
    /// The counters of `x = 1`.
    pub fn one() -> Self {
        let mut c = StepCounters {
            r: [1; MAX_K],
            q: [0; MAX_K],
        };
        c.r[0] = 0;
        c.q[0] = 1;
        c
    }

    /// The counters of `x` (entries past `K` as in [`StepCounters::one`]).
    pub fn at(x: u32, p: &HwParams) -> Self {
        let mut c = StepCounters::one();
        for k in 1..=p.k as u32 {
            (c.r[k as usize - 1], c.q[k as usize - 1]) = (x % k, x / k);
        }
        c
    }

    /// `x -> x + 1`: `r' = (r + 1 == k) ? 0 : r + 1`, `q' = q + (r + 1 == k)`. Returns
    /// `mask(x + 1)`, the value loaded together with an advance (from the table of masks:
    /// `x = q[1]`).
    #[inline]
    pub fn advance(&mut self, p: &HwParams) -> u64 {
        // The RTL's look-ahead (`mask_next`) must agree with the table (checked in debug builds).
        let ahead = cfg!(debug_assertions).then(|| self.mask_next(p));
        for (i, (r, q)) in self.r[..p.k].iter_mut().zip(&mut self.q[..p.k]).enumerate() {
            let wrap = *r == i as u32;
            *r = if wrap { 0 } else { *r + 1 };
            *q += wrap as u32;
        }
        let mask = p.masks[self.q[0] as usize];
        debug_assert_eq!((mask, ahead), (self.mask(p), Some(mask)));
        mask
    }

    /// `mask(x + 1)` from the counters of `x`, before advancing them: bit `k - 1` is set when
    /// `r[k] == k - 1` (the advance wraps) and `lo - 1 <= q[k] < hiT` (the new quotient spikes).
    /// The RTL loads `pend` with it in the cycle that advances the counters.
    #[inline]
    pub fn mask_next(&self, p: &HwParams) -> u64 {
        let mut mask = 0u64;
        for (i, (&r, &q)) in self.r[..p.k].iter().zip(&self.q[..p.k]).enumerate() {
            mask |= ((r == i as u32 && q + 1 >= p.lo && q < p.hi_t) as u64) << i;
        }
        mask
    }

    /// Bit `k - 1` is set when `x` is the `k`-th multiple of a period that spikes
    /// (`r[k] == 0` and `lo <= q[k] <= hiT`): class `q[k] - lo` spikes at `x`.
    #[inline]
    pub fn mask(&self, p: &HwParams) -> u64 {
        let mut mask = 0u64;
        for (i, (&r, &q)) in self.r[..p.k].iter().zip(&self.q[..p.k]).enumerate() {
            mask |= ((r == 0 && q >= p.lo && q <= p.hi_t) as u64) << i;
        }
        mask
    }

    /// The class selected by mask bit `bit` (= `k - 1`): `q[k] - lo`.
    #[inline]
    pub fn class(&self, bit: u32, p: &HwParams) -> usize {
        (self.q[bit as usize] - p.lo) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    #[test]
    fn counters_give_the_classes_spiking_at_every_step() {
        for cfg in [SnnConfig::default(), SnnConfig::small()] {
            let p = HwParams::new(&cfg).unwrap();
            let mut c = StepCounters::one();
            assert_eq!(c.mask(&p), p.mask_one);
            assert_eq!(c, StepCounters::at(1, &p));
            for x in 1..=p.t_steps {
                let mut want = 0u64;
                for k in 1..=p.k as u32 {
                    let per = x / k;
                    if x % k == 0 && per >= p.lo && per <= p.hi_t {
                        want |= 1 << (k - 1);
                    }
                }
                assert_eq!(c.mask(&p), want, "x = {x}");
                let next = c.mask_next(&p);
                let ahead = c.advance(&p);
                assert_eq!((ahead, next), (c.mask(&p), ahead), "x = {x} + 1");
                assert_eq!(c, StepCounters::at(x + 1, &p), "counters of x = {x} + 1");
            }
        }
    }
}
