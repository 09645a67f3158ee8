//! weight_mem: `G * M` words of `P` weight lanes (word `g * M + i` = the weights of input `i` for
//! lane group `g`, lane `l` = neuron `g * P + l`; with one lane per neuron, `G = 1`: word `i`,
//! lane `j` = neuron `j`), a simple dual-port block RAM with one write port and one synchronous
//! read port. Lanes of the last group beyond `N` hold 0.
//!
//! The read port is read-first: the data register `q` captures the word as it was before a write
//! at the same edge, and holds it until the next read. The design never reads a word whose write
//! is still in flight (ARCHITECTURE "Read-after-write safety"); `Machine` asserts that in debug
//! builds.

use crate::neuron::GROUP;
use snn_arch::{HwParams, MAX_LANES};

/// The write port in one cycle: the word written is `word` with lane `lane` replaced by `value`
/// (stage C of stdp writes back the word it read, one lane changed).
#[derive(Clone, Copy, Debug)]
pub struct WordWrite<'a> {
    pub addr: u32,
    pub word: &'a [i32],
    pub lane: u32,
    pub value: i32,
}

/// The memory and its read data register.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightMem {
    /// Lanes per word `P`, and inputs `M` (the distance between two groups' words).
    n: usize,
    m: usize,
    /// Lanes per stored word: N rounded up to whole groups of neurons ([`GROUP`]), the extra
    /// lanes 0, so that the neurons add whole groups of a word.
    stride: usize,
    /// `mem[i * stride + j]`: lane `j` of word `i` (a `WB`-bit two's-complement weight).
    mem: Vec<i32>,
    /// Read data register `q`: the word at `q_addr` as read at the last read edge. The model
    /// keeps the address and copies the word out (`q_held`) only when a write changes that word
    /// while `q` still shows it, which is what a RAM's output register does at no copy per read.
    q_addr: u32,
    q_held: Option<[i32; MAX_LANES]>,
}

impl WeightMem {
    pub fn new(p: &HwParams) -> Self {
        let stride = p.lanes.next_multiple_of(GROUP);
        WeightMem {
            n: p.lanes,
            m: p.m,
            stride,
            mem: vec![0; p.groups * p.m * stride],
            q_addr: 0,
            q_held: None,
        }
    }

    /// The clock edge: the read port captures word `rd` (read-first: a same-edge write to it is
    /// not seen), then the write port writes.
    #[inline(always)]
    pub fn clock(&mut self, rd: Option<u32>, wr: Option<WordWrite>) {
        let n = self.n;
        if let Some(a) = rd {
            self.q_addr = a;
            self.q_held = None;
        }
        if let Some(w) = wr {
            let a = w.addr as usize * self.stride;
            if w.addr == self.q_addr && self.q_held.is_none() {
                let mut held = [0; MAX_LANES];
                held[..n].copy_from_slice(&self.mem[a..a + n]);
                self.q_held = Some(held);
            }
            let dst = &mut self.mem[a..a + n];
            dst.copy_from_slice(&w.word[..n]);
            dst[w.lane as usize] = w.value;
        }
    }

    /// The address of input `i`'s word for neuron `j`'s group, and `j`'s lane in it.
    #[inline(always)]
    pub fn locate(&self, i: u32, j: u32) -> (u32, u32) {
        let (g, l) = (j as usize / self.n, j as usize % self.n);
        ((g * self.m) as u32 + i, l as u32)
    }

    /// The address of input `i`'s word of lane group `g`.
    #[inline(always)]
    pub fn addr(&self, g: u32, i: u32) -> u32 {
        g * self.m as u32 + i
    }

    /// Word `i` (an address), lanes `0..P`.
    pub fn word(&self, i: usize) -> &[i32] {
        &self.mem[i * self.stride..][..self.n]
    }

    /// The read data register, lanes `0..N`.
    #[inline]
    pub fn q(&self) -> &[i32] {
        &self.q_groups()[..self.n]
    }

    /// The read data register with its word's padding to whole groups of lanes (zeros).
    #[inline]
    pub fn q_groups(&self) -> &[i32] {
        match &self.q_held {
            Some(h) => &h[..self.stride],
            None => self.word_groups(self.q_addr as usize),
        }
    }

    /// Word `i` with its padding to whole groups of lanes (zeros).
    #[inline]
    pub fn word_groups(&self, i: usize) -> &[i32] {
        &self.mem[i * self.stride..][..self.stride]
    }

    /// Neuron `j`'s weight of input `i`.
    #[inline]
    pub fn lane(&self, i: u32, j: u32) -> i32 {
        let (a, l) = self.locate(i, j);
        self.mem[a as usize * self.stride + l as usize]
    }

    /// Neuron `j`'s weight of input `i` becomes `value`, the data register left alone (the
    /// machine's learning phase applies each update at once and sets the data register at its
    /// end).
    #[inline]
    pub fn set_lane(&mut self, i: u32, j: u32, value: i32) {
        let (a, l) = self.locate(i, j);
        self.mem[a as usize * self.stride + l as usize] = value;
    }

    /// Host port (Idle): write word `i` (an address).
    pub fn host_write(&mut self, i: usize, word: &[i32]) {
        self.mem[i * self.stride..][..self.n].copy_from_slice(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    #[test]
    fn synchronous_read_first_with_one_cycle_latency() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        let mut m = WeightMem::new(&p);
        m.host_write(5, &[1, 2, 3, 4]);
        // Cycle 0 presents address 5: the data appears after the edge, not before.
        assert_eq!(m.q(), &[0, 0, 0, 0]);
        m.clock(Some(5), None);
        assert_eq!(m.q(), &[1, 2, 3, 4]);
        // Read and write of the same word at one edge: the read sees the old word.
        let old = [1, 2, 3, 4];
        m.clock(
            Some(5),
            Some(WordWrite {
                addr: 5,
                word: &old,
                lane: 2,
                value: -7,
            }),
        );
        assert_eq!(m.q(), &[1, 2, 3, 4]);
        assert_eq!(m.word(5), &[1, 2, -7, 4]);
        // No read: the data register holds, even when the word changes under it.
        m.clock(None, None);
        assert_eq!(m.q(), &[1, 2, 3, 4]);
        let cur = [1, 2, -7, 4];
        m.clock(
            None,
            Some(WordWrite {
                addr: 5,
                word: &cur,
                lane: 0,
                value: 9,
            }),
        );
        assert_eq!((m.q(), m.word(5)), (&[1, 2, 3, 4][..], &[9, 2, -7, 4][..]));
        m.clock(Some(5), None);
        assert_eq!(m.q(), &[9, 2, -7, 4]);
    }
}
