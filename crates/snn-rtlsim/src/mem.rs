//! The weight memory image: `$readmemh` text, one word per input.
//!
//! Line `i` (no address markers) is word `i` of `weight_mem`: the `N` weights of input `i`, neuron
//! `j` in bits `[j*WB +: WB]`, two's complement, written as exactly `ceil(N*WB/4)` lowercase hex
//! digits (what Verilog's `%h` prints for a word, so the harnesses' read-back lines parse with the
//! same code). Words wider than 64 bits are the normal case (`N = 10, WB = 10` is 100 bits), so
//! packing works bit by bit instead of through an integer type.

use anyhow::{bail, ensure, Context, Result};
use std::path::Path;

/// Hex digits of one word of `n` weights of `wb` bits.
pub fn word_digits(n: usize, wb: u32) -> usize {
    (n * wb as usize).div_ceil(4)
}

/// Inclusive range of a `wb`-bit two's-complement weight.
pub fn weight_range(wb: u32) -> (i32, i32) {
    assert!(
        (1..=31).contains(&wb),
        "weight width {wb} must be in 1..=31"
    );
    (-(1i32 << (wb - 1)), (1i32 << (wb - 1)) - 1)
}

/// Packs the weights of one input (`weights[j]` for neuron `j`) into a hex word.
///
/// Panics when a weight does not fit `wb` bits: every caller holds weights already checked
/// against the configuration, so that is a bug, not an input error ([`write_mem`] checks first).
pub fn pack_word(weights: &[i32], wb: u32) -> String {
    let (lo, hi) = weight_range(wb);
    let digits = word_digits(weights.len(), wb);
    let mut nibbles = vec![0u8; digits];
    for (j, &w) in weights.iter().enumerate() {
        assert!(
            (lo..=hi).contains(&w),
            "weight {w} of neuron {j} does not fit {wb} bits"
        );
        for k in 0..wb as usize {
            if (w >> k) & 1 == 1 {
                let b = j * wb as usize + k;
                nibbles[b / 4] |= 1 << (b % 4);
            }
        }
    }
    nibbles
        .iter()
        .rev()
        .map(|&d| char::from_digit(d as u32, 16).expect("nibble"))
        .collect()
}

/// Unpacks one hex word into `n` sign-extended weights of `wb` bits.
///
/// Fewer digits than [`word_digits`] are accepted (leading zeros dropped, as `$readmemh` does);
/// a set bit beyond `n * wb` or a non-hex character is an error.
pub fn unpack_word(hex: &str, n: usize, wb: u32) -> Result<Vec<i32>> {
    let bits = n * wb as usize;
    let mut set = vec![false; bits];
    for (pos, c) in hex.chars().rev().filter(|&c| c != '_').enumerate() {
        let d = c
            .to_digit(16)
            .with_context(|| format!("{c:?} is not a hex digit in word {hex:?}"))?;
        for k in 0..4 {
            if (d >> k) & 1 == 1 {
                let b = 4 * pos + k;
                ensure!(
                    b < bits,
                    "word {hex:?} has bit {b} set but a word is {n} x {wb} = {bits} bits"
                );
                set[b] = true;
            }
        }
    }
    Ok((0..n)
        .map(|j| {
            let lane = &set[j * wb as usize..(j + 1) * wb as usize];
            let raw = lane
                .iter()
                .rev()
                .fold(0i64, |acc, &b| (acc << 1) | b as i64);
            let signed = if lane[wb as usize - 1] {
                raw - (1i64 << wb)
            } else {
                raw
            };
            signed as i32
        })
        .collect())
}

/// The memory image of `weights` (`N x M`, `weights[j][i]`), one word per input, `\n`-terminated.
pub fn mem_text(weights: &[Vec<i32>], wb: u32) -> Result<String> {
    let n = weights.len();
    ensure!(n > 0, "no neurons");
    let m = weights[0].len();
    let (lo, hi) = weight_range(wb);
    for (j, row) in weights.iter().enumerate() {
        ensure!(
            row.len() == m,
            "neuron {j} has {} weights but neuron 0 has {m}",
            row.len()
        );
        if let Some(i) = row.iter().position(|w| !(lo..=hi).contains(w)) {
            bail!("neuron {j}, input {i}: weight {} does not fit {wb}-bit two's complement ({lo}..={hi})", row[i]);
        }
    }
    let mut text = String::with_capacity(m * (word_digits(n, wb) + 1));
    let mut lane = vec![0i32; n];
    for i in 0..m {
        for (j, row) in weights.iter().enumerate() {
            lane[j] = row[i];
        }
        text.push_str(&pack_word(&lane, wb));
        text.push('\n');
    }
    Ok(text)
}

/// Writes `weights` (`N x M`) as a `$readmemh` file (atomically: no partial file on error).
pub fn write_mem(path: &Path, weights: &[Vec<i32>], wb: u32) -> Result<()> {
    let text = mem_text(weights, wb)
        .with_context(|| format!("{}: cannot write weights", path.display()))?;
    snn_core::atomic::write_atomic(path, text.as_bytes())
}

/// Parses `m` words from `lines` (blank lines and `//` comments skipped) into `N x M` weights.
/// `name` and `first_line` locate errors (file name, 1-based line number of the first line).
pub fn parse_words<'a>(
    lines: impl IntoIterator<Item = &'a str>,
    n: usize,
    m: usize,
    wb: u32,
    name: &str,
    first_line: usize,
) -> Result<Vec<Vec<i32>>> {
    let mut weights = vec![Vec::with_capacity(m); n];
    let mut count = 0;
    for (k, line) in lines.into_iter().enumerate() {
        let word = line.split("//").next().unwrap_or("").trim();
        if word.is_empty() {
            continue;
        }
        ensure!(
            !word.starts_with('@'),
            "{name}:{}: address markers (@) are not supported",
            first_line + k
        );
        ensure!(
            count < m,
            "{name}:{}: more than the {m} words (one per input) expected",
            first_line + k
        );
        let lanes =
            unpack_word(word, n, wb).with_context(|| format!("{name}:{}", first_line + k))?;
        for (row, w) in weights.iter_mut().zip(lanes) {
            row.push(w);
        }
        count += 1;
    }
    ensure!(
        count == m,
        "{name}: {count} words, expected {m} (one per input)"
    );
    Ok(weights)
}

/// Reads a `$readmemh` weight file of `m` words of `n` weights of `wb` bits into `N x M`.
pub fn read_mem(path: &Path, n: usize, m: usize, wb: u32) -> Result<Vec<Vec<i32>>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read weights", path.display()))?;
    parse_words(text.lines(), n, m, wb, &path.display().to_string(), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random weight in range (no RNG dependency for a unit test).
    fn weight(j: usize, i: usize, wb: u32) -> i32 {
        let (lo, hi) = weight_range(wb);
        let x = (j as u64 * 2_654_435_761 + i as u64 * 40_503 + 12_345)
            .wrapping_mul(6_364_136_223_846_793_005)
            >> 33;
        (lo as i64 + (x % (hi as i64 - lo as i64 + 1) as u64) as i64) as i32
    }

    #[test]
    fn packs_lanes_low_neuron_first_in_twos_complement() {
        // Neuron 0 = 1 in bits 3:0, neuron 1 = -1 in bits 7:4, neuron 2 = -8 in bits 11:8.
        assert_eq!(pack_word(&[1, -1, -8], 4), "8f1");
        // 3 x 5 = 15 bits: 4 digits, the top digit holds 3 bits.
        assert_eq!(pack_word(&[-1, 0, -16], 5), "401f");
        assert_eq!(unpack_word("401f", 3, 5).unwrap(), vec![-1, 0, -16]);
        // Extremes of 10 bits.
        assert_eq!(
            unpack_word(&pack_word(&[-512, 511], 10), 2, 10).unwrap(),
            vec![-512, 511]
        );
    }

    #[test]
    fn round_trips_words_wider_than_128_bits() {
        // N = 100, WB = 10: 1000-bit words, 250 digits.
        let ws: Vec<i32> = (0..100).map(|j| weight(j, 7, 10)).collect();
        let hex = pack_word(&ws, 10);
        assert_eq!(hex.len(), 250);
        assert_eq!(unpack_word(&hex, 100, 10).unwrap(), ws);
        // N = 13, WB = 10: 130 bits, 33 digits, the top digit holds 2 bits.
        let ws: Vec<i32> = (0..13).map(|j| weight(j, 3, 10)).collect();
        let hex = pack_word(&ws, 10);
        assert_eq!(hex.len(), 33);
        assert!(hex.starts_with(['0', '1', '2', '3']), "{hex}");
        assert_eq!(unpack_word(&hex, 13, 10).unwrap(), ws);
    }

    #[test]
    fn file_round_trip_for_several_shapes() {
        let dir = tempfile::tempdir().unwrap();
        for (n, m, wb) in [
            (1, 1, 2),
            (3, 9, 5),
            (4, 20, 9),
            (10, 784, 10),
            (100, 5, 10),
            (7, 3, 31),
        ] {
            let w: Vec<Vec<i32>> = (0..n)
                .map(|j| (0..m).map(|i| weight(j, i, wb)).collect())
                .collect();
            let p = dir.path().join(format!("w{n}_{wb}.mem"));
            write_mem(&p, &w, wb).unwrap();
            let text = std::fs::read_to_string(&p).unwrap();
            assert_eq!(text.lines().count(), m);
            assert!(text.lines().all(|l| l.len() == word_digits(n, wb)));
            assert_eq!(read_mem(&p, n, m, wb).unwrap(), w, "n={n} m={m} wb={wb}");
        }
    }

    #[test]
    fn rejects_what_does_not_fit() {
        let err = format!("{:#}", mem_text(&[vec![0, 512]], 10).unwrap_err());
        assert!(
            err.contains("neuron 0, input 1") && err.contains("512"),
            "{err}"
        );
        // Bit 15 set in a 15-bit word.
        let err = format!("{:#}", unpack_word("8000", 3, 5).unwrap_err());
        assert!(err.contains("bit 15"), "{err}");
        assert!(unpack_word("7g", 2, 4).is_err());
        let err = format!(
            "{:#}",
            parse_words(["1", "2"], 1, 3, 4, "w.mem", 1).unwrap_err()
        );
        assert!(err.contains("2 words, expected 3"), "{err}");
        let err = format!(
            "{:#}",
            parse_words(["1", "@4", "2"], 1, 3, 4, "w.mem", 1).unwrap_err()
        );
        assert!(err.contains("w.mem:2"), "{err}");
    }

    #[test]
    fn accepts_comments_blank_lines_and_short_words() {
        let w = parse_words(["// header", "", "f  // -1", "0_1"], 2, 2, 4, "x", 1).unwrap();
        assert_eq!(w, vec![vec![-1, 1], vec![0, 0]]);
    }
}
