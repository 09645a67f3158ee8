//! `$readmemh` text: the one reader and the one writer of memory images in the project (the
//! RTL's block RAMs, the harnesses' weight and theta files, `snn export --format mem`,
//! `snn import`).
//!
//! The reader accepts the subset that Icarus, Verilator and Yosys read identically: hex words
//! separated by white space (several on a line or one per line), `_` inside words, `//`
//! comments and `@ADDR` (hex) address jumps. `/* */` comments, `x`/`z` digits, a word wider
//! than the memory and an address past its depth are errors naming the line. The writer puts
//! one word per line with exactly the digits Verilog's `%h` prints, so the harnesses' read-back
//! lines parse with the same code.

use crate::word::{ImageShape, MemLayout, ThetaLayout, Word};
use anyhow::{bail, ensure, Context, Result};
use std::path::Path;

/// One word of a `$readmemh` text: where it goes and where it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// Memory address (after any `@` jump).
    pub addr: usize,
    /// 1-based line of the text (offset by the `first_line` given to [`tokens`]).
    pub line: usize,
    /// The word's hex digits as written.
    pub text: &'a str,
}

/// The words of `text` with their addresses. `name` and `first_line` (the line number of the
/// text's first line) locate errors as `name:line`.
pub fn tokens<'a>(text: &'a str, name: &str, first_line: usize) -> Result<Vec<Token<'a>>> {
    let mut out = Vec::new();
    let mut addr = 0usize;
    for (k, raw) in text.lines().enumerate() {
        let line = first_line + k;
        let code = raw.split("//").next().unwrap_or("");
        ensure!(
            !code.contains("/*"),
            "{name}:{line}: block comments are not supported"
        );
        for t in code.split_whitespace() {
            if let Some(a) = t.strip_prefix('@') {
                addr = usize::from_str_radix(a, 16)
                    .with_context(|| format!("{name}:{line}: address {t:?} is not hex"))?;
                continue;
            }
            out.push(Token {
                addr,
                line,
                text: t,
            });
            addr += 1;
        }
    }
    Ok(out)
}

/// A memory of `depth` words of `bits` bits from `text`: entry `i` is the word the text puts
/// at address `i` (the last one, as the simulators do), `None` where it puts nothing.
pub fn read_words(text: &str, bits: usize, depth: usize, name: &str) -> Result<Vec<Option<Word>>> {
    let mut words = vec![None; depth];
    for t in tokens(text, name, 1)? {
        ensure!(
            t.addr < depth,
            "{name}:{}: address {} is past the depth {depth}",
            t.line,
            t.addr
        );
        words[t.addr] =
            Some(Word::parse_hex(t.text, bits).with_context(|| format!("{name}:{}", t.line))?);
    }
    Ok(words)
}

/// One word per line, `\n`-terminated: the text of [`read_words`]' format a tool reads back
/// from address 0.
pub fn words_text<'a>(words: impl IntoIterator<Item = &'a Word>) -> String {
    words.into_iter().map(|w| w.to_hex() + "\n").collect()
}

/// The words of a memory image of `shape`: each of its addresses must be set exactly once (a
/// word nobody set would silently be zero in the RAM).
pub fn parse_words(
    text: &str,
    shape: &ImageShape,
    name: &str,
    first_line: usize,
) -> Result<Vec<Word>> {
    let (m, unit) = (shape.depth, shape.unit);
    let mut words: Vec<Option<Word>> = vec![None; m];
    for t in tokens(text, name, first_line)? {
        ensure!(
            t.addr < m,
            "{name}:{}: a word for address {} but the {} has {m} words (one per {unit})",
            t.line,
            t.addr,
            shape.memory
        );
        ensure!(
            words[t.addr].is_none(),
            "{name}:{}: address {} set twice",
            t.line,
            t.addr
        );
        words[t.addr] = Some(
            Word::parse_hex(t.text, shape.word_bits)
                .with_context(|| format!("{name}:{}", t.line))?,
        );
    }
    if let Some(i) = words.iter().position(Option::is_none) {
        let count = words.iter().filter(|w| w.is_some()).count();
        if count == i {
            bail!("{name}: {count} words, expected {m} (one per {unit})");
        }
        bail!("{name}: address {i} is never set (every one of the {m} words must be)");
    }
    Ok(words.into_iter().flatten().collect())
}

/// The weights (`N x M`, `weights[j][i]`) of a weight-memory image (see [`parse_words`]).
pub fn parse_weights(
    text: &str,
    layout: &MemLayout,
    name: &str,
    first_line: usize,
) -> Result<Vec<Vec<i32>>> {
    let words = parse_words(text, &layout.shape(), name, first_line)?;
    Ok(layout.weights(words.iter().map(|w| layout.unpack(w))))
}

/// The raw adaptive thresholds (`theta[j]`) of a theta image (see [`parse_words`]).
pub fn parse_theta(
    text: &str,
    layout: &ThetaLayout,
    name: &str,
    first_line: usize,
) -> Result<Vec<i32>> {
    let words = parse_words(text, &layout.shape(), name, first_line)?;
    Ok(words.iter().map(|w| layout.unpack(w)).collect())
}

/// The image of raw thresholds `theta` (one per neuron): word `j` on line `j + 1`. Errors name
/// the neuron of a value that does not fit.
pub fn theta_text(theta: &[i32], layout: &ThetaLayout) -> Result<String> {
    Ok(words_text(&layout.words(theta)?))
}

/// Writes raw thresholds as a `$readmemh` file, atomically (no partial file on error).
pub fn write_theta(path: &Path, theta: &[i32], layout: &ThetaLayout) -> Result<()> {
    let text = theta_text(theta, layout)
        .with_context(|| format!("{}: cannot write theta", path.display()))?;
    snn_core::atomic::write_atomic(path, text.as_bytes())
}

/// Reads a `$readmemh` theta file of `layout` into raw thresholds.
pub fn read_theta(path: &Path, layout: &ThetaLayout) -> Result<Vec<i32>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read theta", path.display()))?;
    parse_theta(&text, layout, &path.display().to_string(), 1)
}

/// The image of `weights` (`N x M`) in `layout`: word `a` on line `a + 1` (word `i` = input `i`
/// with one lane group). Errors name the neuron and input of a weight that does not fit.
pub fn weights_text(weights: &[Vec<i32>], layout: &MemLayout) -> Result<String> {
    ensure!(!weights.is_empty(), "no neurons");
    Ok(words_text(&layout.words(weights)?))
}

/// Writes `weights` (`N x M`) as a `$readmemh` file of `layout`, atomically (no partial file on
/// error).
pub fn write_weights(path: &Path, weights: &[Vec<i32>], layout: &MemLayout) -> Result<()> {
    let text = weights_text(weights, layout)
        .with_context(|| format!("{}: cannot write weights", path.display()))?;
    snn_core::atomic::write_atomic(path, text.as_bytes())
}

/// Reads a `$readmemh` weight file of `layout` into `N x M` weights.
pub fn read_weights(path: &Path, layout: &MemLayout) -> Result<Vec<Vec<i32>>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read weights", path.display()))?;
    parse_weights(&text, layout, &path.display().to_string(), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic weight in range.
    fn weight(j: usize, i: usize, l: &MemLayout) -> i32 {
        let (lo, hi) = l.lane_range();
        snn_testkit::Lcg::pick(j, i, lo, hi)
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
            let l = MemLayout {
                neurons: n,
                inputs: m,
                weight_bits: wb,
                lanes: n,
            };
            let w: Vec<Vec<i32>> = (0..n)
                .map(|j| (0..m).map(|i| weight(j, i, &l)).collect())
                .collect();
            let p = dir.path().join(format!("w{n}_{wb}.mem"));
            write_weights(&p, &w, &l).unwrap();
            let text = std::fs::read_to_string(&p).unwrap();
            assert_eq!(text.lines().count(), m);
            assert!(text.lines().all(|line| line.len() == l.word_digits()));
            assert_eq!(read_weights(&p, &l).unwrap(), w, "n={n} m={m} wb={wb}");
        }
    }

    /// What the simulators accept beyond one word per line reads the same: several words on a
    /// line, `_`, comments, blank lines, short words, `@` jumps in any order.
    #[test]
    fn everything_the_simulators_read_is_read_alike() {
        let l = MemLayout {
            neurons: 2,
            inputs: 4,
            weight_bits: 4,
            lanes: 2,
        };
        let plain = "f1\n0_2\n3\n44\n";
        let want = vec![vec![1, 2, 3, 4], vec![-1, 0, 0, 4]];
        assert_eq!(parse_weights(plain, &l, "x", 1).unwrap(), want);
        let fancy = "// header\n@2 3 44 // two on a line\n\n@0\n  f1   0002\n";
        assert_eq!(parse_weights(fancy, &l, "x", 1).unwrap(), want);
        let words = read_words(fancy, 8, 6, "x").unwrap();
        assert_eq!(words.iter().filter(|w| w.is_some()).count(), 4);
        assert_eq!(words[3].as_ref().unwrap().to_hex(), "44");
        assert!(words[4].is_none());
    }

    #[test]
    fn theta_files_round_trip_and_refuse_the_wrong_depth_or_width() {
        let dir = tempfile::tempdir().unwrap();
        let l = ThetaLayout {
            neurons: 4,
            theta_bits: 17,
        };
        let theta = vec![0, 1, 65_536, 131_071];
        let p = dir.path().join("w.theta.mem");
        write_theta(&p, &theta, &l).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "00000\n00001\n10000\n1ffff\n"
        );
        assert_eq!(read_theta(&p, &l).unwrap(), theta);
        let err = |text: &str, l: &ThetaLayout| {
            format!("{:#}", parse_theta(text, l, "t.mem", 1).unwrap_err())
        };
        let three = ThetaLayout { neurons: 3, ..l };
        assert!(err("0\n1\n2\n3\n", &three).contains(
            "t.mem:4: a word for address 3 but the theta memory has 3 words (one per neuron)"
        ));
        assert!(err("0\n1\n", &l).contains("t.mem: 2 words, expected 4 (one per neuron)"));
        let narrow = ThetaLayout {
            theta_bits: 16,
            ..l
        };
        assert!(err("0\n1\n1ffff\n0\n", &narrow).contains("t.mem:3"));
        assert!(err("0\n1\n1ffff\n0\n", &narrow).contains("bit 16"));
        let e = format!("{:#}", write_theta(&p, &[0, 1, 2], &l).unwrap_err());
        assert!(
            e.contains("w.theta.mem") && e.contains("3 theta values"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let l = MemLayout {
            neurons: 1,
            inputs: 3,
            weight_bits: 4,
            lanes: 1,
        };
        let err = |text: &str| format!("{:#}", parse_weights(text, &l, "w.mem", 1).unwrap_err());
        assert!(err("1\n2\n").contains("w.mem: 2 words, expected 3"));
        assert!(err("1\n@2 2\n").contains("address 1 is never set"));
        assert!(err("1\n2\n3\n4\n").contains("w.mem:4: a word for address 3"));
        assert!(err("1\n@0 2\n").contains("w.mem:2: address 0 set twice"));
        assert!(err("1\n/* c */ 2\n3\n").contains("w.mem:2: block comments"));
        assert!(err("1\n2\nx\n").contains("w.mem:3"));
        assert!(err("1\n@q\n").contains("w.mem:2: address \"@q\""));
        let err = format!("{:#}", read_words("1 2 3", 4, 2, "r.mem").unwrap_err());
        assert!(
            err.contains("r.mem:1: address 2 is past the depth 2"),
            "{err}"
        );
        let err = format!("{:#}", read_words("1ff", 8, 2, "r.mem").unwrap_err());
        assert!(err.contains("bit 8"), "{err}");
    }
}
