//! [`NeuronMask`]: a register of one bit per neuron (the spike mask, `stdp_mask`), up to
//! [`MAX_N`] neurons. A plain value (`Copy`, no allocation) like the registers it models, which
//! the machine copies into its events every cycle; bit sets from crates allocate.

use snn_arch::MAX_N;

const WORDS: usize = MAX_N / 64;

/// Bit `j` = neuron `j`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NeuronMask([u64; WORDS]);

impl NeuronMask {
    /// No neuron.
    pub const EMPTY: NeuronMask = NeuronMask([0; WORDS]);

    /// The mask of the neurons `j` for which `bit(j)` holds, `j < n`.
    pub fn from_fn(n: usize, mut bit: impl FnMut(usize) -> bool) -> Self {
        let mut m = NeuronMask::EMPTY;
        for j in (0..n).filter(|&j| bit(j)) {
            m.set(j);
        }
        m
    }

    pub fn set(&mut self, j: usize) {
        self.0[j / 64] |= 1 << (j % 64);
    }

    pub fn get(&self, j: usize) -> bool {
        self.0[j / 64] >> (j % 64) & 1 == 1
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    /// The lowest neuron of the mask.
    pub fn lowest(&self) -> Option<u32> {
        let k = self.0.iter().position(|&w| w != 0)?;
        Some(k as u32 * 64 + self.0[k].trailing_zeros())
    }

    /// The mask without its lowest neuron.
    pub fn without_lowest(mut self) -> Self {
        if let Some(k) = self.0.iter().position(|&w| w != 0) {
            self.0[k] &= self.0[k] - 1;
        }
        self
    }

    /// Takes the lowest neuron out of the mask (a priority encoder and its clear).
    #[inline]
    pub fn pop_lowest(&mut self) -> Option<u32> {
        let j = self.lowest()?;
        *self = self.without_lowest();
        Some(j)
    }

    /// The neurons of either mask.
    pub fn union(&self, other: &NeuronMask) -> NeuronMask {
        NeuronMask(std::array::from_fn(|k| self.0[k] | other.0[k]))
    }

    /// How many neurons the mask holds.
    pub fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// The neurons of the mask, ascending.
    pub fn ones(&self) -> impl Iterator<Item = u32> + '_ {
        (0..MAX_N).filter(|&j| self.get(j)).map(|j| j as u32)
    }

    /// Bits `128 * c .. 128 * (c + 1)` (the VCD dumps wide masks in such chunks).
    pub fn chunk(&self, c: usize) -> u128 {
        self.0[2 * c] as u128 | (self.0[2 * c + 1] as u128) << 64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_first_across_words() {
        let mut m = NeuronMask::from_fn(MAX_N, |j| j == 3 || j == 130 || j == MAX_N - 1);
        assert_eq!(m.ones().collect::<Vec<_>>(), [3, 130, MAX_N as u32 - 1]);
        let mut order = Vec::new();
        while let Some(j) = m.lowest() {
            order.push(j);
            m = m.without_lowest();
        }
        assert_eq!(order, [3, 130, MAX_N as u32 - 1]);
        assert!(m.is_empty() && m == NeuronMask::EMPTY);
        let mut c = NeuronMask::EMPTY;
        c.set(129);
        assert_eq!((c.chunk(0), c.chunk(1)), (0, 2));
    }
}
