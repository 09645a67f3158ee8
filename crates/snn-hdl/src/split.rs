//! `Split`: a neuron index `j` as its lane group `j div P` and its lane `j mod P`
//! (docs/ARCHITECTURE.md, "Neuron lanes").
//!
//! rust-hdl has no division, so the split compares `j` with each group's first neuron `g * P`
//! (constants) and subtracts the last one it reaches: `G` comparators and a subtractor of the
//! index's width. (A one-hot decode of `j` against constant masks, the first form, costs `N`
//! bits of decode per split, which at N = 400 made synthesis crawl.)

use rust_hdl::prelude::*;
use snn_arch::widths::NEURON_BITS;
use snn_arch::HwParams;

/// `GB` bits hold a group, `N` is the neuron count, `NB` the neuron index bits.
#[derive(LogicBlock)]
pub struct Split<const N: usize, const GB: usize, const NB: usize = NEURON_BITS> {
    pub j: Signal<In, Bits<NB>>,
    /// `j div P` and `j mod P`; both 0 for `j >= N`.
    pub g: Signal<Out, Bits<GB>>,
    pub l: Signal<Out, Bits<NB>>,
    /// Per group after the first: its first neuron `g * P`, its index; and `N`.
    first: Vec<Constant<Bits<NB>>>,
    g_id: Vec<Constant<Bits<GB>>>,
    n: Constant<Bits<NB>>,
    /// `G - 1`.
    _g: usize,
}

/// The `N`-bit mask of the neurons `j` for which `pick(j)` holds.
pub(crate) fn mask_of<const N: usize>(pick: impl Fn(usize) -> bool) -> Bits<N> {
    (0..N)
        .filter(|&j| pick(j))
        .fold(Bits::<N>::default(), |m, j| {
            m | crate::stdp::only::<N>(j..j + 1)
        })
}

/// For each group `g`, the mask of the neurons of group `g + shift` (modulo `G`: with 1, the
/// group after); for each lane, the mask of its neurons in every group.
pub(crate) fn group_masks<const N: usize>(p: &HwParams, shift: usize) -> Vec<Constant<Bits<N>>> {
    let (lanes, groups) = (p.lanes, p.groups);
    (0..groups)
        .map(|g| Constant::new(mask_of::<N>(|j| j / lanes == (g + shift) % groups)))
        .collect()
}

pub(crate) fn lane_masks<const N: usize>(p: &HwParams) -> Vec<Constant<Bits<N>>> {
    let lanes = p.lanes;
    (0..lanes)
        .map(|l| Constant::new(mask_of::<N>(|j| j % lanes == l)))
        .collect()
}

/// `k + shift` modulo `modulus`, for each `k < modulus`, as `B`-bit constants.
pub(crate) fn indices<const B: usize>(modulus: usize, shift: usize) -> Vec<Constant<Bits<B>>> {
    (0..modulus)
        .map(|k| Constant::new(Bits::<B>::from(((k + shift) % modulus) as u64)))
        .collect()
}

impl<const N: usize, const GB: usize, const NB: usize> Split<N, GB, NB> {
    pub fn new(p: &HwParams) -> Self {
        assert_eq!(p.n, N, "neuron count");
        let (lanes, groups) = (p.lanes, p.groups);
        assert!(groups <= 1 << GB, "{groups} groups in {GB} bits");
        assert!(N < 1 << NB, "{N} neurons in {NB} index bits");
        Split {
            j: Default::default(),
            g: Default::default(),
            l: Default::default(),
            first: (1..groups)
                .map(|g| Constant::new(Bits::<NB>::from((g * lanes) as u64)))
                .collect(),
            g_id: (1..groups)
                .map(|g| Constant::new(Bits::<GB>::from(g as u64)))
                .collect(),
            n: Constant::new(Bits::<NB>::from(N as u64)),
            _g: groups - 1,
        }
    }
}

impl<const N: usize, const GB: usize, const NB: usize> Logic for Split<N, GB, NB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.g.next = 0.into();
        self.l.next = self.j.val();
        for g in 0..self._g {
            if self.j.val() >= self.first[g].val() {
                self.g.next = self.g_id[g].val();
                self.l.next = self.j.val() - self.first[g].val();
            }
        }
        if self.j.val() >= self.n.val() {
            self.g.next = 0.into();
            self.l.next = 0.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::lint_and_synth;
    use snn_core::config::SnnConfig;

    /// Every index of a 30-neuron, 4-lane network (a last group of 2 lanes) and past its end.
    #[test]
    fn splits_every_index() {
        let cfg = SnnConfig {
            neurons: 30,
            lanes: Some(4),
            ..SnnConfig::small()
        };
        let p = HwParams::new(&cfg).unwrap();
        let mut uut = Split::<30, 3>::new(&p);
        uut.connect_all();
        for j in 0..40u64 {
            uut.j.next = j.into();
            assert!(simulate(&mut uut, 100));
            let (g, l) = if j < 30 { (j / 4, j % 4) } else { (0, 0) };
            assert_eq!(
                (uut.g.val().to_u64(), uut.l.val().to_u64()),
                (g, l),
                "j = {j}"
            );
        }
        lint_and_synth(&mut uut, "split");
    }
}
