//! The word layouts of the learned state (docs/ARCHITECTURE.md, "Memories"):
//!
//! - the weight memory ([`MemLayout`]): word `i` holds the `N` weights of input `i`, neuron `j`
//!   in bits `[j*WB +: WB]`, two's complement;
//! - the adaptive thresholds ([`ThetaLayout`], SPEC section 10, built when `theta_max > 0`):
//!   word `j` holds `theta[j]`, unsigned, `TB = fixed.theta_bits` wide, raw (potential units
//!   times `2^frac_bits`).
//!
//! This is the only place that decides which bit of a word belongs to which neuron: the RTL's
//! initial contents, the harnesses' `$readmemh` files and the vendor init files (`.coe`, `.mif`)
//! all pack and unpack through these layouts. Words wider than any Rust integer are the normal
//! case (`N = 10, WB = 10` is 100 bits, `N = 100` is 1000), so a [`Word`] is a bit vector.

use anyhow::{bail, ensure, Context, Result};
use snn_core::config::SnnConfig;
use std::path::{Path, PathBuf};

/// One memory word of any width, bit `0` first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    bits: usize,
    limbs: Vec<u64>,
}

impl Word {
    /// `bits` zero bits.
    pub fn zeros(bits: usize) -> Self {
        Word {
            bits,
            limbs: vec![0; bits.div_ceil(64)],
        }
    }

    /// The word's width in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    pub fn bit(&self, i: usize) -> bool {
        assert!(i < self.bits, "bit {i} of a {}-bit word", self.bits);
        self.limbs[i / 64] >> (i % 64) & 1 == 1
    }

    pub fn set(&mut self, i: usize) {
        assert!(i < self.bits, "bit {i} of a {}-bit word", self.bits);
        self.limbs[i / 64] |= 1 << (i % 64);
    }

    /// Indices of the set bits, ascending (what a consumer with its own bit type needs).
    pub fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.bits).filter(|&i| self.bit(i))
    }

    /// Exactly `ceil(bits / 4)` lowercase hex digits: what Verilog's `%h` prints for the word.
    pub fn to_hex(&self) -> String {
        (0..self.bits.div_ceil(4))
            .rev()
            .map(|d| {
                let nibble = (0..4)
                    .filter(|&k| 4 * d + k < self.bits && self.bit(4 * d + k))
                    .fold(0, |acc, k| acc | 1 << k);
                char::from_digit(nibble, 16).expect("a nibble")
            })
            .collect()
    }

    /// A hex word of at most `bits` bits. Fewer digits are accepted (leading zeros dropped, as
    /// `$readmemh` does), so are `_` separators; a set bit at or beyond `bits`, a non-hex
    /// character (`x`, `z` included) or no digit at all is an error.
    pub fn parse_hex(token: &str, bits: usize) -> Result<Self> {
        let mut w = Word::zeros(bits);
        let mut digits = 0;
        for (pos, c) in token.chars().rev().filter(|&c| c != '_').enumerate() {
            let d = c
                .to_digit(16)
                .with_context(|| format!("{c:?} is not a hex digit in word {token:?}"))?;
            for k in (0..4).filter(|k| d >> k & 1 == 1) {
                let b = 4 * pos + k;
                ensure!(
                    b < bits,
                    "word {token:?} has bit {b} set but a word is {bits} bits"
                );
                w.set(b);
            }
            digits += 1;
        }
        ensure!(digits > 0, "empty word {token:?}");
        Ok(w)
    }
}

/// What a reader or writer of a memory image needs to know of the memory, whatever it holds:
/// how many words of how many bits, and the words that explain it in messages and in the
/// comment line of a vendor file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageShape {
    /// The memory, for messages: `weight memory`, `theta memory`.
    pub memory: &'static str,
    /// Words (one per `unit`).
    pub depth: usize,
    /// What an address stands for: `input`, `neuron`.
    pub unit: &'static str,
    pub word_bits: usize,
    /// How the width comes about, for messages: `10 neurons x 10 bits`, `fixed.theta_bits`.
    pub width_why: String,
    /// One line describing the layout, written as a comment at the top of `.coe` and `.mif`
    /// files so that a reader knows which bits mean what.
    pub description: String,
}

impl ImageShape {
    /// Hex digits of one word in a `$readmemh` file.
    pub fn word_digits(&self) -> usize {
        self.word_bits.div_ceil(4)
    }
}

/// The geometry of `weight_mem`: `inputs` words of `neurons` lanes of `weight_bits` bits, or
/// with lane groups (`lanes < neurons`, docs/ARCHITECTURE.md "Neuron lanes") `G * inputs`
/// words of `lanes` lanes, word `g * M + i` holding group `g`'s weights of input `i` (the last
/// group's lanes past `N` are 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemLayout {
    /// `N`.
    pub neurons: usize,
    /// `M`, words per group.
    pub inputs: usize,
    /// `WB`, bits per lane.
    pub weight_bits: u32,
    /// `P`, lanes per word (`N` without lane groups).
    pub lanes: usize,
}

impl MemLayout {
    /// The layout of `cfg`'s weight memory.
    pub fn new(cfg: &SnnConfig) -> Self {
        MemLayout {
            neurons: cfg.neurons,
            inputs: cfg.inputs(),
            weight_bits: cfg.fixed.weight_bits,
            lanes: cfg.lanes.unwrap_or(cfg.neurons),
        }
    }

    /// The layout (one lane per neuron) that holds `weights` (`N x M`, rows of neuron 0
    /// giving `M`).
    pub fn of(weights: &[Vec<i32>], weight_bits: u32) -> Self {
        MemLayout {
            neurons: weights.len(),
            inputs: weights.first().map_or(0, Vec::len),
            weight_bits,
            lanes: weights.len(),
        }
    }

    /// Lane groups `G = ceil(N / P)`.
    pub fn groups(&self) -> usize {
        self.neurons.div_ceil(self.lanes.max(1))
    }

    /// Words: `G * M`.
    pub fn depth(&self) -> usize {
        self.groups() * self.inputs
    }

    /// `P * WB`, the RAM's data width.
    pub fn word_bits(&self) -> usize {
        self.lanes * self.weight_bits as usize
    }

    /// The memory as an image reader sees it.
    pub fn shape(&self) -> ImageShape {
        let wb = self.weight_bits;
        let (depth, lanes) = (self.depth(), self.lanes);
        let description = if self.groups() > 1 {
            format!(
                "snn weight_mem: {depth} words (address = g * {} + input index, lane group g of {} lanes) of {} bits = {lanes} lanes x {wb}-bit two's complement, neuron g*{lanes}+l in bits [l*{wb} +: {wb}]",
                self.inputs,
                self.groups(),
                self.word_bits(),
            )
        } else {
            format!(
                "snn weight_mem: {depth} words (address = input index) of {} bits = {} neurons x {wb}-bit two's complement, neuron j in bits [j*{wb} +: {wb}]",
                self.word_bits(),
                self.neurons,
            )
        };
        ImageShape {
            memory: "weight memory",
            depth,
            unit: "input",
            word_bits: self.word_bits(),
            width_why: if self.groups() > 1 {
                format!("{lanes} lanes x {wb} bits")
            } else {
                format!("{} neurons x {wb} bits", self.neurons)
            },
            description,
        }
    }

    /// Hex digits of one word in a `$readmemh` file.
    pub fn word_digits(&self) -> usize {
        self.word_bits().div_ceil(4)
    }

    /// Inclusive range of one lane (`WB`-bit two's complement).
    pub fn lane_range(&self) -> (i32, i32) {
        let wb = self.weight_bits;
        assert!(
            (1..=31).contains(&wb),
            "weight width {wb} must be in 1..=31"
        );
        (-(1i32 << (wb - 1)), (1i32 << (wb - 1)) - 1)
    }

    /// Checks that `weights` is `N x M` and that every weight fits its lane; errors name the
    /// neuron and input.
    pub fn check(&self, weights: &[Vec<i32>]) -> Result<()> {
        ensure!(
            weights.len() == self.neurons,
            "{} neurons of weights for a memory of {} lanes",
            weights.len(),
            self.neurons
        );
        let (lo, hi) = self.lane_range();
        for (j, row) in weights.iter().enumerate() {
            ensure!(
                row.len() == self.inputs,
                "neuron {j} has {} weights for a memory of {} words",
                row.len(),
                self.inputs
            );
            if let Some(i) = row.iter().position(|w| !(lo..=hi).contains(w)) {
                bail!(
                    "neuron {j}, input {i}: weight {} does not fit {}-bit two's complement ({lo}..={hi})",
                    row[i],
                    self.weight_bits
                );
            }
        }
        Ok(())
    }

    /// One word, `lanes[l]` = the weight of lane `l`. Panics when a weight does not fit its
    /// lane: callers hold weights already [`check`](Self::check)ed.
    pub fn pack(&self, lanes: &[i32]) -> Word {
        assert_eq!(lanes.len(), self.lanes, "one weight per lane");
        let (lo, hi) = self.lane_range();
        let wb = self.weight_bits as usize;
        let mut word = Word::zeros(self.word_bits());
        for (j, &w) in lanes.iter().enumerate() {
            assert!(
                (lo..=hi).contains(&w),
                "weight {w} of lane {j} does not fit {wb} bits"
            );
            for k in (0..wb).filter(|&k| w >> k & 1 == 1) {
                word.set(j * wb + k);
            }
        }
        word
    }

    /// The `P` sign-extended weights of a word.
    pub fn unpack(&self, word: &Word) -> Vec<i32> {
        assert_eq!(word.bits(), self.word_bits(), "word width");
        let wb = self.weight_bits as usize;
        (0..self.lanes)
            .map(|j| {
                let raw = (0..wb).fold(0i64, |acc, k| acc | (word.bit(j * wb + k) as i64) << k);
                let signed = if word.bit(j * wb + wb - 1) {
                    raw - (1i64 << wb)
                } else {
                    raw
                };
                signed as i32
            })
            .collect()
    }

    /// The `G * M` words of `weights` (`N x M`, `weights[j][i]`) in address order.
    pub fn words(&self, weights: &[Vec<i32>]) -> Result<Vec<Word>> {
        self.check(weights)?;
        let mut lanes = vec![0; self.lanes];
        let mut words = Vec::with_capacity(self.depth());
        for group in weights.chunks(self.lanes) {
            for i in 0..self.inputs {
                lanes.fill(0);
                for (lane, row) in lanes.iter_mut().zip(group) {
                    *lane = row[i];
                }
                words.push(self.pack(&lanes));
            }
        }
        Ok(words)
    }

    /// Weights `N x M` from the unpacked words of the whole memory, in address order (the
    /// padding lanes of the last group are dropped).
    pub fn weights(&self, words: impl IntoIterator<Item = Vec<i32>>) -> Vec<Vec<i32>> {
        let mut weights = vec![Vec::with_capacity(self.inputs); self.neurons];
        for (a, lanes) in words.into_iter().enumerate() {
            let g = a / self.inputs.max(1);
            for (l, w) in lanes.into_iter().enumerate() {
                if let Some(row) = weights.get_mut(g * self.lanes + l) {
                    row.push(w);
                }
            }
        }
        weights
    }
}

/// The geometry of the adaptive thresholds: `neurons` words of `theta_bits` bits, word `j` =
/// `theta[j]`, unsigned. The RTL's initial thresholds, `snn export`'s theta file (`W.theta.mem`,
/// [`ThetaLayout::file_beside`]) and `snn import` all go through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThetaLayout {
    /// `N`, words.
    pub neurons: usize,
    /// `TB`, bits per word.
    pub theta_bits: u32,
}

impl ThetaLayout {
    /// The thresholds of `cfg` (whether or not it builds homeostasis: see `HwParams`).
    pub fn new(cfg: &SnnConfig) -> Self {
        ThetaLayout {
            neurons: cfg.neurons,
            theta_bits: cfg.fixed.theta_bits,
        }
    }

    /// The largest raw value a word holds, `2^TB - 1`.
    pub fn max(&self) -> i32 {
        assert!(
            (1..=31).contains(&self.theta_bits),
            "theta width {} must be in 1..=31",
            self.theta_bits
        );
        ((1i64 << self.theta_bits) - 1) as i32
    }

    /// The memory as an image reader sees it.
    pub fn shape(&self) -> ImageShape {
        let tb = self.theta_bits;
        ImageShape {
            memory: "theta memory",
            depth: self.neurons,
            unit: "neuron",
            word_bits: tb as usize,
            width_why: "fixed.theta_bits".into(),
            description: format!(
                "snn theta: {} words (address = neuron index) of {tb} bits, unsigned raw theta[j] (potential units x 2^frac_bits)",
                self.neurons
            ),
        }
    }

    /// The theta init file that goes with the weight image `image`: `.theta` before its
    /// extension (`out/w.mem` -> `out/w.theta.mem`, `w` -> `w.theta`), the same format.
    pub fn file_beside(image: &Path) -> PathBuf {
        let stem = image.file_stem().unwrap_or_default().to_string_lossy();
        let name = match image.extension() {
            Some(ext) => format!("{stem}.theta.{}", ext.to_string_lossy()),
            None => format!("{stem}.theta"),
        };
        image.with_file_name(name)
    }

    /// Checks that `theta` has one value per neuron, each in `0..=2^TB - 1`; errors name the
    /// neuron.
    pub fn check(&self, theta: &[i32]) -> Result<()> {
        ensure!(
            theta.len() == self.neurons,
            "{} theta values for a memory of {} words (one per neuron)",
            theta.len(),
            self.neurons
        );
        let max = self.max();
        if let Some(j) = theta.iter().position(|t| !(0..=max).contains(t)) {
            bail!(
                "neuron {j}: theta {} does not fit {} unsigned bits (0..={max})",
                theta[j],
                self.theta_bits
            );
        }
        Ok(())
    }

    /// The `N` words of `theta`, word `j` for neuron `j`.
    pub fn words(&self, theta: &[i32]) -> Result<Vec<Word>> {
        self.check(theta)?;
        Ok(theta
            .iter()
            .map(|&t| {
                let mut w = Word::zeros(self.theta_bits as usize);
                for k in (0..self.theta_bits as usize).filter(|&k| t >> k & 1 == 1) {
                    w.set(k);
                }
                w
            })
            .collect())
    }

    /// The raw theta of a word.
    pub fn unpack(&self, word: &Word) -> i32 {
        assert_eq!(word.bits(), self.theta_bits as usize, "word width");
        word.ones().fold(0, |acc, k| acc | 1 << k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theta_words_are_unsigned_and_checked() {
        let l = ThetaLayout {
            neurons: 3,
            theta_bits: 17,
        };
        let theta = [0, 130_816, 131_071];
        let words = l.words(&theta).unwrap();
        let hex: Vec<String> = words.iter().map(Word::to_hex).collect();
        assert_eq!(hex, ["00000", "1ff00", "1ffff"]);
        let back: Vec<i32> = words.iter().map(|w| l.unpack(w)).collect();
        assert_eq!(back, theta);
        let err = format!("{:#}", l.words(&[0, 131_072, 0]).unwrap_err());
        assert!(
            err.contains("neuron 1") && err.contains("17 unsigned bits"),
            "{err}"
        );
        let err = format!("{:#}", l.words(&[0, -1, 0]).unwrap_err());
        assert!(err.contains("neuron 1: theta -1"), "{err}");
        let err = format!("{:#}", l.words(&[0, 1]).unwrap_err());
        assert!(
            err.contains("2 theta values") && err.contains("3 words"),
            "{err}"
        );
    }

    #[test]
    fn the_theta_file_sits_beside_the_weight_image() {
        for (image, theta) in [
            ("out/w.mem", "out/w.theta.mem"),
            ("w.coe", "w.theta.coe"),
            ("a.b/w.mif", "a.b/w.theta.mif"),
            ("w", "w.theta"),
        ] {
            assert_eq!(ThetaLayout::file_beside(Path::new(image)), Path::new(theta));
        }
    }

    impl MemLayout {
        /// A hex word (see [`Word::parse_hex`]) as `N` weights.
        fn parse_word(&self, token: &str) -> Result<Vec<i32>> {
            Ok(self.unpack(&Word::parse_hex(token, self.word_bits())?))
        }
    }

    fn layout(neurons: usize, weight_bits: u32) -> MemLayout {
        MemLayout {
            neurons,
            inputs: 1,
            weight_bits,
            lanes: neurons,
        }
    }

    #[test]
    fn lanes_are_low_neuron_first_in_twos_complement() {
        // Neuron 0 = 1 in bits 3:0, neuron 1 = -1 in bits 7:4, neuron 2 = -8 in bits 11:8.
        assert_eq!(layout(3, 4).pack(&[1, -1, -8]).to_hex(), "8f1");
        // 3 x 5 = 15 bits: 4 digits, the top digit holds 3 bits.
        assert_eq!(layout(3, 5).pack(&[-1, 0, -16]).to_hex(), "401f");
        assert_eq!(layout(3, 5).parse_word("401f").unwrap(), [-1, 0, -16]);
        assert_eq!(
            layout(2, 10)
                .parse_word(&layout(2, 10).pack(&[-512, 511]).to_hex())
                .unwrap(),
            [-512, 511]
        );
    }

    /// With lane groups, word `g * M + i` holds group `g`'s weights of input `i`, the last
    /// group's lanes past `N` are 0, and the words read back into the same `N x M` weights.
    #[test]
    fn lane_groups_lay_out_group_by_group() {
        let l = MemLayout {
            neurons: 5,
            inputs: 3,
            weight_bits: 4,
            lanes: 2,
        };
        let w: Vec<Vec<i32>> = (0..5)
            .map(|j| (0..3).map(|i| (j * 3 + i) as i32 % 8 - 4).collect())
            .collect();
        let words = l.words(&w).unwrap();
        assert_eq!((l.groups(), l.depth(), words.len()), (3, 9, 9));
        for (a, word) in words.iter().enumerate() {
            let (g, i) = (a / 3, a % 3);
            let lanes = l.unpack(word);
            for (k, &v) in lanes.iter().enumerate() {
                let want = w.get(g * 2 + k).map_or(0, |row| row[i]);
                assert_eq!(v, want, "word {a}, lane {k}");
            }
        }
        assert_eq!(l.weights(words.iter().map(|x| l.unpack(x))), w);
        assert!(l.shape().description.contains("lane group"));
    }

    #[test]
    fn words_wider_than_any_integer_round_trip() {
        for (n, wb, digits) in [(100, 10, 250), (13, 10, 33), (7, 31, 55)] {
            let l = layout(n, wb);
            let (lo, hi) = l.lane_range();
            let ws: Vec<i32> = (0..n as i64)
                .map(|j| (lo as i64 + (j * 7919 + 13) % (hi as i64 - lo as i64 + 1)) as i32)
                .collect();
            let hex = l.pack(&ws).to_hex();
            assert_eq!(hex.len(), digits);
            assert_eq!(l.parse_word(&hex).unwrap(), ws);
        }
    }

    #[test]
    fn what_does_not_fit_is_an_error() {
        let err = format!("{:#}", layout(3, 5).parse_word("8000").unwrap_err());
        assert!(err.contains("bit 15"), "{err}");
        assert!(layout(2, 4).parse_word("7g").is_err());
        assert!(layout(2, 4).parse_word("_").is_err());
        let l = MemLayout::of(&[vec![0, 512]], 10);
        let err = format!("{:#}", l.words(&[vec![0, 512]]).unwrap_err());
        assert!(
            err.contains("neuron 0, input 1") && err.contains("512"),
            "{err}"
        );
        let err = format!("{:#}", l.check(&[vec![0]]).unwrap_err());
        assert!(err.contains("neuron 0 has 1 weights"), "{err}");
    }
}
