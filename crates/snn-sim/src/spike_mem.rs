//! spike_mem: the spike memory between two layers (docs/ARCHITECTURE.md, "Several layers").
//! Layer `l`'s Fire cycle of step `t` writes word `t` with the neurons that spiked; layer
//! `l + 1` replays it as its input trains, each word being the set of inputs that spike at
//! that step. The same register also keeps which inputs spiked at all (the penalty walks the
//! others) and the largest word (the threshold pass of layer `l + 1`, so that it needs none).

use crate::mask::NeuronMask;

/// `T` words of one bit per neuron of the layer below (an input of the layer above).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpikeMem {
    /// Word `t - 1` = the inputs spiking at step `t`.
    words: Vec<NeuronMask>,
    /// Inputs that spiked at least once in this image.
    ever: NeuronMask,
    /// The most inputs spiking at one step.
    peak: u32,
    inputs: usize,
}

impl SpikeMem {
    /// An empty memory of `t_steps` words of `inputs` bits.
    pub fn new(t_steps: u32, inputs: usize) -> Self {
        SpikeMem {
            words: vec![NeuronMask::EMPTY; t_steps as usize],
            ever: NeuronMask::EMPTY,
            peak: 0,
            inputs,
        }
    }

    /// The memory the layer below leaves after an image in which neuron `j` spiked at the steps
    /// `times[j]`: what its Fire cycles wrote, one word per step.
    pub fn from_spike_times(t_steps: u32, times: &[Vec<u32>]) -> Self {
        let mut mem = SpikeMem::new(t_steps, times.len());
        for t in 1..=t_steps {
            let fired = NeuronMask::from_fn(times.len(), |j| times[j].contains(&t));
            mem.record(t, fired);
        }
        mem
    }

    /// The Fire cycle of step `t` in the layer below writes its spike mask.
    pub fn record(&mut self, t: u32, fired: NeuronMask) {
        self.words[t as usize - 1] = fired;
        self.ever = self.ever.union(&fired);
        self.peak = self.peak.max(fired.count());
    }

    /// The inputs spiking at step `t` (none outside `1..=T`).
    #[inline]
    pub fn step(&self, t: u32) -> NeuronMask {
        match t.checked_sub(1) {
            Some(k) if (k as usize) < self.words.len() => self.words[k as usize],
            _ => NeuronMask::EMPTY,
        }
    }

    /// Whether input `i` spiked in this image.
    #[inline]
    pub fn spiked(&self, i: u32) -> bool {
        self.ever.get(i as usize)
    }

    /// The inputs that never spiked in this image.
    pub fn silent(&self) -> NeuronMask {
        NeuronMask::from_fn(self.inputs, |i| !self.ever.get(i))
    }

    /// The most inputs spiking at one step.
    pub fn peak(&self) -> u32 {
        self.peak
    }

    /// Bits per word: the inputs of the layer above.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Input spikes in the whole image.
    pub fn spikes(&self) -> u32 {
        self.words.iter().map(NeuronMask::count).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_silent_inputs_and_peak_follow_the_spike_times() {
        let times = vec![vec![3, 40], vec![], vec![3], vec![200]];
        let mem = SpikeMem::from_spike_times(200, &times);
        assert_eq!(mem.step(3).ones().collect::<Vec<_>>(), [0, 2]);
        assert_eq!(mem.step(40).ones().collect::<Vec<_>>(), [0]);
        assert_eq!(mem.step(200).ones().collect::<Vec<_>>(), [3]);
        assert!(mem.step(0).is_empty() && mem.step(201).is_empty() && mem.step(4).is_empty());
        assert_eq!(mem.silent().ones().collect::<Vec<_>>(), [1]);
        assert_eq!((mem.peak(), mem.spikes(), mem.inputs()), (2, 4, 4));
    }
}
