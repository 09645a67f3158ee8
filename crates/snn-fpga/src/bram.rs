//! Trained weights as block-RAM initialisation files, and back.
//!
//! The image is the contents of the generated `weight_mem` (docs/ARCHITECTURE.md, "Memories"):
//! address `i` = input `i`, word = the `N` weights of that input, neuron `j` in bits
//! `[j*WB +: WB]`, two's complement, `WB` = `fixed.weight_bits`. One layout, three spellings, so
//! that the same trained network initialises the RAM of any vendor flow:
//!
//! * [`MemFormat::Mem`] (`.mem`, `.hex`): `$readmemh` text, one word per line, exactly what
//!   `snn_arch::readmemh` writes for the RTL harnesses (Yosys, Icarus, Verilator, Vivado read it).
//! * [`MemFormat::Coe`] (`.coe`): Xilinx Block Memory Generator coefficients file.
//! * [`MemFormat::Mif`] (`.mif`): Intel (Quartus) memory initialisation file.
//!
//! Every file holds exactly `M` words. The RAM the generator declares may be deeper (`2^AW`
//! words, so that the list terminator `NIL` is a real address); the words past `M` are never
//! used as weights, and every tool fills them with zeros.
//!
//! The adaptive thresholds of homeostasis (SPEC section 10) have images of their own in the same
//! three spellings, `N` words of `TB = fixed.theta_bits` bits, word `j` = raw `theta[j]`
//! unsigned ([`render_theta`], [`parse_theta`]); `snn export` writes one beside the weight
//! image (`snn_arch::ThetaLayout::file_beside`: `w.mem` -> `w.theta.mem`).
//!
//! Words are packed and unpacked by `snn_arch::MemLayout` and `snn_arch::ThetaLayout` only, so
//! the RTL, the harnesses, the exporter and the importer cannot disagree on a bit; the three
//! spellings read and write words of any [`ImageShape`].

use anyhow::{bail, ensure, Context, Result};
use snn_arch::{readmemh, HwParams, Word};
pub use snn_arch::{ImageShape, MemLayout, ThetaLayout};
use snn_core::atomic::write_atomic;
use snn_core::config::SnnConfig;
use snn_core::fixed::FixedFormat;
use snn_core::weights::WeightsFile;
use std::fmt::{self, Write as _};
use std::path::Path;
use std::str::FromStr;

/// A spelling of the weight-memory image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemFormat {
    /// `$readmemh` text (`.mem` or `.hex`).
    Mem,
    /// Xilinx `.coe`.
    Coe,
    /// Intel `.mif`.
    Mif,
}

impl MemFormat {
    /// The format a file name asks for, from its extension (`.mem`/`.hex`, `.coe`, `.mif`).
    pub fn from_path(path: &Path) -> Result<Self> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        ext.to_ascii_lowercase().parse().with_context(|| {
            format!(
                "{}: cannot tell the memory format from the extension",
                path.display()
            )
        })
    }

    /// The usual extension (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            MemFormat::Mem => "mem",
            MemFormat::Coe => "coe",
            MemFormat::Mif => "mif",
        }
    }
}

impl fmt::Display for MemFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for MemFormat {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mem" | "hex" => Ok(MemFormat::Mem),
            "coe" => Ok(MemFormat::Coe),
            "mif" => Ok(MemFormat::Mif),
            _ => bail!("unknown memory format {s:?} (expected mem, hex, coe or mif)"),
        }
    }
}

/// The image of raw weights `weights` (`N x M`, `weights[j][i]`) in `format`, in `layout`
/// (with lane groups, `G * M` words: `MemLayout::new` of the configuration).
///
/// Errors when a weight does not fit `WB`-bit two's complement (naming neuron, input and value).
pub fn render(weights: &[Vec<i32>], layout: &MemLayout, format: MemFormat) -> Result<String> {
    ensure!(!weights.is_empty(), "no neurons");
    Ok(render_words(
        &layout.words(weights)?,
        &layout.shape(),
        format,
    ))
}

/// The image of raw thresholds `theta` (one per neuron) in `format`. Errors name the neuron of
/// a value outside `0..2^TB`.
pub fn render_theta(theta: &[i32], layout: &ThetaLayout, format: MemFormat) -> Result<String> {
    Ok(render_words(&layout.words(theta)?, &layout.shape(), format))
}

/// The image of `words`, a memory of `shape`, in `format`.
fn render_words(words: &[Word], shape: &ImageShape, format: MemFormat) -> String {
    let mem = readmemh::words_text(words);
    let mut out = String::with_capacity(mem.len() * 2);
    match format {
        MemFormat::Mem => return mem,
        MemFormat::Coe => {
            writeln!(out, "; {}", shape.description).expect("String write");
            out.push_str("memory_initialization_radix=16;\nmemory_initialization_vector=\n");
            for (i, w) in mem.lines().enumerate() {
                let end = if i + 1 == words.len() { ';' } else { ',' };
                writeln!(out, "{w}{end}").expect("String write");
            }
        }
        MemFormat::Mif => {
            let aw = hex_digits(shape.depth - 1);
            writeln!(out, "-- {}", shape.description).expect("String write");
            writeln!(
                out,
                "DEPTH = {};\nWIDTH = {};\nADDRESS_RADIX = HEX;\nDATA_RADIX = HEX;\nCONTENT BEGIN",
                shape.depth, shape.word_bits
            )
            .expect("String write");
            for (i, w) in mem.lines().enumerate() {
                writeln!(out, "    {i:0aw$x} : {w};").expect("String write");
            }
            out.push_str("END;\n");
        }
    }
    out
}

/// Hex digits needed to print `x` (at least one).
fn hex_digits(x: usize) -> usize {
    ((usize::BITS - x.leading_zeros()) as usize)
        .div_ceil(4)
        .max(1)
}

/// Reads an image of `layout` in `format` back into raw weights (`N x M`, sign-extended).
/// `name` (usually the file name) and 1-based line numbers locate every error.
pub fn parse(
    text: &str,
    layout: &MemLayout,
    format: MemFormat,
    name: &str,
) -> Result<Vec<Vec<i32>>> {
    let words = parse_words(text, &layout.shape(), format, name)?;
    Ok(layout.weights(words.iter().map(|w| layout.unpack(w))))
}

/// Reads a theta image of `layout` in `format` back into raw thresholds, one per neuron.
pub fn parse_theta(
    text: &str,
    layout: &ThetaLayout,
    format: MemFormat,
    name: &str,
) -> Result<Vec<i32>> {
    let words = parse_words(text, &layout.shape(), format, name)?;
    Ok(words.iter().map(|w| layout.unpack(w)).collect())
}

/// The `shape.depth` words of an image in `format`, in address order.
fn parse_words(text: &str, shape: &ImageShape, format: MemFormat, name: &str) -> Result<Vec<Word>> {
    match format {
        MemFormat::Mem => readmemh::parse_words(text, shape, name, 1),
        MemFormat::Coe => parse_coe(text, shape, name),
        MemFormat::Mif => parse_mif(text, shape, name),
    }
}

/// A word's hex digits; the error names the place.
fn word_at(digits: &str, shape: &ImageShape, name: &str, line: usize) -> Result<Word> {
    Word::parse_hex(digits, shape.word_bits).with_context(|| {
        format!(
            "{name}:{line}: bad word (expected at most {} hex digits for {} bits)",
            shape.word_digits(),
            shape.word_bits
        )
    })
}

/// Xilinx `.coe`: `;` starts a comment line; `key = value ;` statements; the vector's elements
/// are separated by commas or white space and end with `;`. Only radix 16 is read, because that
/// is the only one a word wider than 64 bits is written in practice.
fn parse_coe(text: &str, shape: &ImageShape, name: &str) -> Result<Vec<Word>> {
    let mut radix_seen = false;
    let mut in_vector = false;
    let mut done = false;
    let mut words = Vec::with_capacity(shape.depth);
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with(';') {
            continue;
        }
        ensure!(
            !done,
            "{name}:{line}: text after the end of memory_initialization_vector"
        );
        let mut rest = trimmed;
        if !in_vector {
            let (key, value) = rest.split_once('=').with_context(|| {
                format!("{name}:{line}: expected `key = value;`, got {trimmed:?}")
            })?;
            let key = key.trim().to_ascii_lowercase();
            match key.as_str() {
                "memory_initialization_radix" => {
                    let (v, after) = value.split_once(';').with_context(|| format!("{name}:{line}: memory_initialization_radix has no closing ';'"))?;
                    ensure!(after.trim().is_empty(), "{name}:{line}: one statement per line expected");
                    let v = v.trim();
                    ensure!(v == "16", "{name}:{line}: memory_initialization_radix = {v} is not supported (only 16)");
                    radix_seen = true;
                    continue;
                }
                "memory_initialization_vector" => {
                    ensure!(radix_seen, "{name}:{line}: memory_initialization_vector before memory_initialization_radix");
                    in_vector = true;
                    rest = value;
                }
                _ => bail!("{name}:{line}: unknown key {key:?} (expected memory_initialization_radix or memory_initialization_vector)"),
            }
        }
        let (body, end) = match rest.split_once(';') {
            Some((b, after)) => {
                ensure!(
                    after.trim().is_empty(),
                    "{name}:{line}: text after the closing ';'"
                );
                (b, true)
            }
            None => (rest, false),
        };
        for tok in body
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            ensure!(
                words.len() < shape.depth,
                "{name}:{line}: more than the {} words (one per {}) expected",
                shape.depth,
                shape.unit
            );
            words.push(word_at(tok, shape, name, line)?);
        }
        done = end;
    }
    ensure!(radix_seen, "{name}: no memory_initialization_radix");
    ensure!(in_vector, "{name}: no memory_initialization_vector");
    let count = words.len();
    ensure!(
        done,
        "{name}: truncated: memory_initialization_vector has no closing ';' ({count} words read)"
    );
    ensure!(
        count == shape.depth,
        "{name}: {count} words, expected {} (one per {})",
        shape.depth,
        shape.unit
    );
    Ok(words)
}

/// Intel `.mif`: `--` line comments and `%...%` block comments; the header (`DEPTH`, `WIDTH`,
/// `ADDRESS_RADIX`, `DATA_RADIX`) must describe exactly this memory; then `CONTENT BEGIN`,
/// entries `addr : word;` or `[lo..hi] : word;` (both hex), `END;`. Every address must be set
/// exactly once, because a RAM word nobody set would silently be zero.
fn parse_mif(text: &str, shape: &ImageShape, name: &str) -> Result<Vec<Word>> {
    // Statements end with ';' and may span lines; each keeps the line it started on.
    let mut statements: Vec<(usize, String)> = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut in_block_comment = false;
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        let mut code = String::new();
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            if in_block_comment {
                in_block_comment = c != '%';
            } else if c == '%' {
                in_block_comment = true;
            } else if c == '-' && chars.peek() == Some(&'-') {
                break;
            } else {
                code.push(c);
            }
        }
        for c in code.chars() {
            if current.trim().is_empty() {
                start = line;
            }
            if c == ';' {
                statements.push((start, std::mem::take(&mut current).trim().to_string()));
            } else {
                current.push(c);
            }
        }
        // "CONTENT BEGIN" has no ';': alone on its line, it ends there.
        if is_content_begin(&current) {
            statements.push((start, std::mem::take(&mut current).trim().to_string()));
        } else {
            current.push(' ');
        }
    }
    ensure!(
        !in_block_comment,
        "{name}: truncated: a % comment is never closed"
    );
    ensure!(
        current.trim().is_empty(),
        "{name}:{start}: truncated: {:?} has no closing ';'",
        current.trim()
    );

    let mut depth = None;
    let mut width = None;
    let mut content = false;
    let mut ended = false;
    let mut words: Vec<Option<Word>> = vec![None; shape.depth];
    for (line, st) in statements {
        ensure!(!ended, "{name}:{line}: text after END;");
        let mut st = st.as_str();
        if !content {
            if let Some(rest) = strip_content_begin(st) {
                ensure!(
                    depth.is_some() && width.is_some(),
                    "{name}:{line}: CONTENT before DEPTH and WIDTH"
                );
                content = true;
                // An entry may follow on the same line.
                st = rest;
                if st.is_empty() {
                    continue;
                }
            }
        }
        if !content {
            let (key, value) = st
                .split_once('=')
                .with_context(|| format!("{name}:{line}: expected `KEY = value;`, got {st:?}"))?;
            let (key, value) = (key.trim().to_ascii_uppercase(), value.trim());
            let number = |what: &str| -> Result<usize> {
                value.parse().with_context(|| {
                    format!("{name}:{line}: {what} = {value:?} is not a decimal number")
                })
            };
            match key.as_str() {
                "DEPTH" => {
                    let d = number("DEPTH")?;
                    ensure!(
                        d == shape.depth,
                        "{name}:{line}: DEPTH = {d}, but the {} has {} words (one per {})",
                        shape.memory,
                        shape.depth,
                        shape.unit
                    );
                    depth = Some(d);
                }
                "WIDTH" => {
                    let w = number("WIDTH")?;
                    ensure!(
                        w == shape.word_bits,
                        "{name}:{line}: WIDTH = {w}, but a word is {} = {}",
                        shape.width_why,
                        shape.word_bits
                    );
                    width = Some(w);
                }
                "ADDRESS_RADIX" | "DATA_RADIX" => {
                    ensure!(
                        value.eq_ignore_ascii_case("HEX"),
                        "{name}:{line}: {key} = {value} is not supported (only HEX)"
                    );
                }
                _ => bail!("{name}:{line}: unknown header key {key:?}"),
            }
            continue;
        }
        if st.eq_ignore_ascii_case("end") {
            ended = true;
            continue;
        }
        let (addr, data) = st
            .split_once(':')
            .with_context(|| format!("{name}:{line}: expected `address : word;`, got {st:?}"))?;
        let data = data.trim();
        ensure!(
            !data.contains(char::is_whitespace),
            "{name}:{line}: one word per address expected, got {data:?}"
        );
        let word = word_at(data, shape, name, line)?;
        let hex = |s: &str| {
            usize::from_str_radix(s.trim(), 16)
                .with_context(|| format!("{name}:{line}: address {:?} is not hex", s.trim()))
        };
        let addr = addr.trim();
        let (lo, hi) = match addr.strip_prefix('[').and_then(|a| a.strip_suffix(']')) {
            Some(range) => {
                let (a, b) = range.split_once("..").with_context(|| {
                    format!("{name}:{line}: address range {addr:?} is not [lo..hi]")
                })?;
                (hex(a)?, hex(b)?)
            }
            None => (hex(addr)?, hex(addr)?),
        };
        ensure!(
            lo <= hi && hi < shape.depth,
            "{name}:{line}: address {addr} outside 0..{:x} (DEPTH = {})",
            shape.depth - 1,
            shape.depth
        );
        for slot in &mut words[lo..=hi] {
            ensure!(slot.is_none(), "{name}:{line}: address {addr} set twice");
            *slot = Some(word.clone());
        }
    }
    ensure!(content, "{name}: truncated: no CONTENT BEGIN");
    ensure!(ended, "{name}: truncated: no END;");
    words
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            w.with_context(|| {
                format!(
                    "{name}: address {i:x} is never set (every one of the {} words must be)",
                    shape.depth
                )
            })
        })
        .collect()
}

/// What follows the keyword pair `CONTENT BEGIN` (any case, any white space) that starts `s`.
fn strip_content_begin(s: &str) -> Option<&str> {
    let s = s.trim_start();
    let rest = s
        .get(..7)
        .filter(|k| k.eq_ignore_ascii_case("content"))
        .map(|_| &s[7..])?;
    let trimmed = rest.trim_start();
    if trimmed.len() == rest.len() {
        return None;
    }
    trimmed
        .get(..5)
        .filter(|k| k.eq_ignore_ascii_case("begin"))
        .map(|_| trimmed[5..].trim())
}

/// Whether `s` is exactly the keyword pair `CONTENT BEGIN`.
fn is_content_begin(s: &str) -> bool {
    strip_content_begin(s) == Some("")
}

/// Writes raw weights (`N x M`) as an image file (atomically: no partial file on error).
pub fn write_image(
    path: &Path,
    weights: &[Vec<i32>],
    layout: &MemLayout,
    format: MemFormat,
) -> Result<()> {
    let text = render(weights, layout, format)
        .with_context(|| format!("{}: cannot write the weight image", path.display()))?;
    write_atomic(path, text.as_bytes())
}

/// Reads a theta image file of `layout` back into raw thresholds (one per neuron).
pub fn read_theta_image(path: &Path, layout: &ThetaLayout, format: MemFormat) -> Result<Vec<i32>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    parse_theta(&text, layout, format, &path.display().to_string())
}

/// Reads an image file of `layout` back into raw weights (`N x M`).
pub fn read_image(path: &Path, layout: &MemLayout, format: MemFormat) -> Result<Vec<Vec<i32>>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let weights = parse(&text, layout, format, &path.display().to_string())?;
    layout.check(&weights)?;
    Ok(weights)
}

/// Real weights of a weights file to raw fixed point in the format of `cfg`.
///
/// Values that are not exact multiples of `2^-F` inside `[w_min, w_max]` are an error naming the
/// neuron, input and value, unless `saturate` (round half away from zero, then clamp): a
/// silently changed weight would make the bitstream classify differently from the software.
pub fn quantize(wf: &WeightsFile, cfg: &SnnConfig, saturate: bool) -> Result<Vec<Vec<i32>>> {
    ensure!(
        (wf.height, wf.width, wf.neurons) == (cfg.height, cfg.width, cfg.neurons),
        "the weights are for {}x{} inputs and {} neurons, the configuration has {}x{} and {}",
        wf.height,
        wf.width,
        wf.neurons,
        cfg.height,
        cfg.width,
        cfg.neurons
    );
    let fmt = FixedFormat::new(cfg)?;
    let layout = MemLayout::new(cfg);
    let raw: Vec<Vec<i32>> = wf
        .weights
        .iter()
        .enumerate()
        .map(|(j, row)| {
            row.iter()
                .enumerate()
                .map(|(i, &x)| {
                    fmt.weight_from_f64(x, saturate)
                        .map_err(|e| anyhow::anyhow!("neuron {j}, input {i}: {e}"))
                })
                .collect::<Result<Vec<i32>>>()
        })
        .collect::<Result<_>>()?;
    layout.check(&raw)?;
    Ok(raw)
}

/// Raw weights (`N x M`) back to a weights file of `cfg` (exact: `raw / 2^F`).
///
/// Values outside `[w_min, w_max]` are an error naming neuron, input and value: the hardware
/// proves its potentials cannot overflow only for weights inside those bounds.
pub fn dequantize(raw: &[Vec<i32>], cfg: &SnnConfig) -> Result<WeightsFile> {
    let fmt = FixedFormat::new(cfg)?;
    MemLayout::new(cfg).check(raw)?;
    for (j, row) in raw.iter().enumerate() {
        if let Some(i) = row
            .iter()
            .position(|w| !(fmt.w_min..=fmt.w_max).contains(w))
        {
            bail!(
                "neuron {j}, input {i}: raw weight {} ({}) is outside [w_min, w_max] = [{}, {}]",
                row[i],
                fmt.to_f64(row[i]),
                fmt.w_min,
                fmt.w_max
            );
        }
    }
    Ok(WeightsFile {
        height: cfg.height,
        width: cfg.width,
        neurons: cfg.neurons,
        weights: raw
            .iter()
            .map(|row| row.iter().map(|&w| fmt.to_f64(w)).collect())
            .collect(),
        layers: None,
        labels: None,
        arith: None,
        config: Some(cfg.clone()),
        theta: None,
    })
}

/// The theta memory of the core built for `cfg`: `Some` when it builds homeostasis
/// (`theta_max > 0` in its fixed-point format, as `HwParams::homeostasis`), `None` when its
/// thresholds are all 0 and it has no theta memory.
pub fn theta_layout(cfg: &SnnConfig) -> Result<Option<ThetaLayout>> {
    Ok((FixedFormat::new(cfg)?.theta_max > 0).then(|| ThetaLayout::new(cfg)))
}

/// Raw thresholds (one per neuron) back to reals in potential units (exact: `raw / 2^F`).
/// Values outside `[0, theta_max]` are an error naming the neuron and value: the hardware
/// never holds them, and its potentials are proven not to overflow only below `theta_max`.
pub fn dequantize_theta(raw: &[i32], cfg: &SnnConfig) -> Result<Vec<f64>> {
    let fmt = FixedFormat::new(cfg)?;
    ThetaLayout::new(cfg).check(raw)?;
    if let Some(j) = raw.iter().position(|t| !(0..=fmt.theta_max).contains(t)) {
        bail!(
            "neuron {j}: raw theta {} ({}) is outside [0, theta_max] = [0, {}]",
            raw[j],
            fmt.to_f64(raw[j]),
            fmt.theta_max
        );
    }
    Ok(raw.iter().map(|&t| fmt.to_f64(t)).collect())
}

/// `snn export`: the weights file `weights` quantized for `cfg` and written to `out` in `format`
/// (default: from `out`'s extension).
pub fn export(
    weights: &Path,
    cfg: &SnnConfig,
    out: &Path,
    format: Option<MemFormat>,
    saturate: bool,
) -> Result<()> {
    let format = match format {
        Some(f) => f,
        None => MemFormat::from_path(out)?,
    };
    let wf = WeightsFile::load(weights)?;
    let raw = quantize(&wf, cfg, saturate)
        .with_context(|| format!("{}: cannot export", weights.display()))?;
    write_image(out, &raw, &MemLayout::new(cfg), format)
}

/// `snn import`: an image file (format from its extension) of `cfg`'s weight memory, written to
/// `out` as a weights file and returned.
pub fn import(image: &Path, cfg: &SnnConfig, out: &Path) -> Result<WeightsFile> {
    let raw = read_image(image, &MemLayout::new(cfg), MemFormat::from_path(image)?)?;
    let wf =
        dequantize(&raw, cfg).with_context(|| format!("{}: cannot import", image.display()))?;
    wf.save(out)?;
    Ok(wf)
}

/// Whether `path` names a weights file (`.json`) rather than a memory image.
pub fn is_weights_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// The raw weights (`N x M`) that `cfg`'s weight memory starts with in a generated core
/// (`snn generate --init-weights`, `snn fpga --init-weights`), from a weights file (`.json`,
/// quantized by [`quantize`]) or an image (`.mem`/`.hex`, `.coe`, `.mif`, read by [`parse`]).
/// The weights must fit the memory's shape and `[w_min, w_max]`
/// (`snn_hdl::generate::check_initial_weights`); every error names the file.
///
/// Images are held to the exact word width [`render`] writes: [`parse`] accepts short words
/// (leading zeros dropped, as `$readmemh` does), so the image of a network with fewer neurons
/// would otherwise fill the low lanes and leave the others zero. A `.mif` declares its WIDTH,
/// which [`parse`] checks.
pub fn initial_weights(path: &Path, cfg: &SnnConfig, saturate: bool) -> Result<Vec<Vec<i32>>> {
    let what = || format!("{}: cannot use as initial weights", path.display());
    let raw = if is_weights_file(path) {
        let wf = WeightsFile::load(path)?;
        quantize(&wf, cfg, saturate).with_context(what)?
    } else {
        let format = MemFormat::from_path(path)
            .context("initial weights are a .json weights file or a .mem/.hex/.coe/.mif image")?;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let layout = MemLayout::new(cfg);
        let name = path.display().to_string();
        let raw = parse(&text, &layout, format, &name).with_context(what)?;
        layout.check(&raw).with_context(what)?;
        let digits = layout.word_digits();
        for (line, word) in word_tokens(&text, format, &name) {
            let k = word.chars().filter(|&c| c != '_').count();
            ensure!(
                k == digits,
                "{name}:{line}: word {word} has {k} hex digits, but a word of {} neurons x {} bits has {digits}: an image of another network shape?",
                layout.neurons,
                layout.weight_bits
            );
        }
        raw
    };
    snn_hdl::generate::check_initial_weights(&HwParams::new(cfg)?, &raw).with_context(what)?;
    Ok(raw)
}

/// The raw theta (one per neuron) that a generated core with homeostasis starts with, beside
/// its initial weights `path`: a weights file's `theta` (quantized like the golden fixed
/// model), or for an image the theta image beside it (`snn_arch::ThetaLayout::file_beside`:
/// `w.mem` -> `w.theta.mem`). `None` without homeostasis, for a weights file without `theta`
/// and for an image without a theta file (theta then starts at 0). Errors name the file.
pub fn initial_theta(path: &Path, cfg: &SnnConfig, saturate: bool) -> Result<Option<Vec<i32>>> {
    let p = HwParams::new(cfg)?;
    if !p.homeostasis {
        return Ok(None);
    }
    let theta = if is_weights_file(path) {
        let wf = WeightsFile::load(path)?;
        let Some(theta) = &wf.theta else {
            return Ok(None);
        };
        let arith = snn_core::arith::FixedArith::new(cfg)?;
        theta
            .iter()
            .map(|&x| snn_core::arith::Arith::theta_from_f64(&arith, x, saturate))
            .collect::<Result<Vec<i32>>>()
            .with_context(|| {
                format!(
                    "{}: theta does not fit the fixed-point model",
                    path.display()
                )
            })?
    } else {
        let beside = snn_arch::ThetaLayout::file_beside(path);
        if !beside.is_file() {
            return Ok(None);
        }
        readmemh::read_theta(&beside, &snn_arch::ThetaLayout::new(cfg))?
    };
    snn_hdl::generate::check_initial_theta(&p, &theta)
        .with_context(|| format!("{}: cannot use as initial theta", path.display()))?;
    Ok(Some(theta))
}

/// The words of an image that [`parse`] has accepted, with their 1-based lines: those of a
/// `.mem` (as `$readmemh` reads them), the elements of a `.coe` vector; none for a `.mif`.
fn word_tokens<'a>(text: &'a str, format: MemFormat, name: &str) -> Vec<(usize, &'a str)> {
    let mut words = Vec::new();
    let mut in_vector = false;
    for (k, raw) in text.lines().enumerate() {
        let body = match format {
            MemFormat::Mem => {
                return readmemh::tokens(text, name, 1)
                    .expect("parse accepted the text")
                    .into_iter()
                    .map(|t| (t.line, t.text))
                    .collect()
            }
            MemFormat::Coe if raw.trim_start().starts_with(';') => continue,
            MemFormat::Coe if in_vector => raw,
            MemFormat::Coe => match raw.split_once('=') {
                Some((key, value))
                    if key
                        .trim()
                        .eq_ignore_ascii_case("memory_initialization_vector") =>
                {
                    in_vector = true;
                    value
                }
                _ => continue,
            },
            MemFormat::Mif => return words,
        };
        let body = body.split(';').next().unwrap_or("");
        words.extend(
            body.split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .map(|t| (k + 1, t)),
        );
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    use snn_testkit::Lcg;

    fn raw(l: &MemLayout) -> Vec<Vec<i32>> {
        let (lo, hi) = (-(1 << (l.weight_bits - 1)), (1 << (l.weight_bits - 1)) - 1);
        (0..l.neurons)
            .map(|j| (0..l.inputs).map(|i| Lcg::pick(j, i, lo, hi)).collect())
            .collect()
    }

    const FORMATS: [MemFormat; 3] = [MemFormat::Mem, MemFormat::Coe, MemFormat::Mif];

    #[test]
    fn small_examples_of_each_format() {
        // Two inputs, three neurons of 4 bits: word 0 = (1, -1, -8), word 1 = (0, 7, -2).
        let w = vec![vec![1, 0], vec![-1, 7], vec![-8, -2]];
        let l = MemLayout {
            neurons: 3,
            inputs: 2,
            weight_bits: 4,
            lanes: 3,
        };
        assert_eq!(render(&w, &l, MemFormat::Mem).unwrap(), "8f1\ne70\n");
        let comment = l.shape().description;
        assert_eq!(
            render(&w, &l, MemFormat::Coe).unwrap(),
            format!("; {comment}\nmemory_initialization_radix=16;\nmemory_initialization_vector=\n8f1,\ne70;\n")
        );
        assert_eq!(
            render(&w, &l, MemFormat::Mif).unwrap(),
            format!("-- {comment}\nDEPTH = 2;\nWIDTH = 12;\nADDRESS_RADIX = HEX;\nDATA_RADIX = HEX;\nCONTENT BEGIN\n    0 : 8f1;\n    1 : e70;\nEND;\n")
        );
        for f in FORMATS {
            assert_eq!(
                parse(&render(&w, &l, f).unwrap(), &l, f, "x").unwrap(),
                w,
                "{f}"
            );
        }
    }

    #[test]
    fn theta_images_round_trip_in_every_format_and_refuse_another_shape() {
        let l = ThetaLayout {
            neurons: 3,
            theta_bits: 17,
        };
        let theta = vec![0, 200, 131_071];
        assert_eq!(
            render_theta(&theta, &l, MemFormat::Mif).unwrap(),
            format!(
                "-- {}\nDEPTH = 3;\nWIDTH = 17;\nADDRESS_RADIX = HEX;\nDATA_RADIX = HEX;\nCONTENT BEGIN\n    0 : 00000;\n    1 : 000c8;\n    2 : 1ffff;\nEND;\n",
                l.shape().description
            )
        );
        let four = ThetaLayout { neurons: 4, ..l };
        let narrow = ThetaLayout {
            theta_bits: 16,
            ..l
        };
        for f in FORMATS {
            let text = render_theta(&theta, &l, f).unwrap();
            assert_eq!(parse_theta(&text, &l, f, "t").unwrap(), theta, "{f}");
            let depth = format!("{:#}", parse_theta(&text, &four, f, "t").unwrap_err());
            assert!(depth.contains('3') && depth.contains('4'), "{f}: {depth}");
            let width = format!("{:#}", parse_theta(&text, &narrow, f, "t").unwrap_err());
            assert!(
                width.contains("16") || width.contains("bit 16"),
                "{f}: {width}"
            );
        }
        let text = render_theta(&theta, &l, MemFormat::Mif).unwrap();
        let e = format!(
            "{:#}",
            parse_theta(&text, &narrow, MemFormat::Mif, "t").unwrap_err()
        );
        assert!(
            e.contains("t:3: WIDTH = 17, but a word is fixed.theta_bits = 16"),
            "{e}"
        );
        let e = format!(
            "{:#}",
            parse_theta(&text, &four, MemFormat::Mif, "t").unwrap_err()
        );
        assert!(
            e.contains("t:2: DEPTH = 3, but the theta memory has 4 words (one per neuron)"),
            "{e}"
        );
        let e = format!(
            "{:#}",
            render_theta(&[0, -1, 0], &l, MemFormat::Coe).unwrap_err()
        );
        assert!(e.contains("neuron 1: theta -1"), "{e}");
    }

    #[test]
    fn raw_round_trips_are_byte_identical_for_odd_and_wide_words() {
        // 15 bits (not a multiple of 4), 130 and 1000 bits (wider than 128), 1 x 2 bits.
        for l in [
            MemLayout {
                neurons: 3,
                inputs: 17,
                weight_bits: 5,
                lanes: 3,
            },
            MemLayout {
                neurons: 13,
                inputs: 40,
                weight_bits: 10,
                lanes: 13,
            },
            MemLayout {
                neurons: 100,
                inputs: 20,
                weight_bits: 10,
                lanes: 100,
            },
            MemLayout {
                neurons: 1,
                inputs: 1,
                weight_bits: 2,
                lanes: 1,
            },
            MemLayout {
                neurons: 10,
                inputs: 784,
                weight_bits: 10,
                lanes: 10,
            },
        ] {
            let w = raw(&l);
            for f in FORMATS {
                let text = render(&w, &l, f).unwrap();
                let back = parse(&text, &l, f, "x").unwrap();
                assert_eq!(back, w, "{l:?} {f}");
                assert_eq!(render(&back, &l, f).unwrap(), text, "{l:?} {f}");
            }
        }
    }

    /// Configurations whose fixed format makes the given word width.
    fn config(neurons: usize, frac_bits: u32, weight_bits: u32) -> SnnConfig {
        let mut cfg = SnnConfig::small();
        cfg.neurons = neurons;
        cfg.fixed.frac_bits = frac_bits;
        cfg.fixed.weight_bits = weight_bits;
        cfg.validate().unwrap();
        cfg
    }

    #[test]
    fn export_import_export_is_byte_identical_through_files() {
        let dir = tempfile::tempdir().unwrap();
        // 3 x 5 = 15 bits; 13 x 10 = 130 bits; 100 x 10 = 1000 bits.
        for cfg in [config(3, 3, 5), config(13, 7, 10), config(100, 7, 10)] {
            let fmt = FixedFormat::new(&cfg).unwrap();
            let wf = WeightsFile {
                height: cfg.height,
                width: cfg.width,
                neurons: cfg.neurons,
                weights: (0..cfg.neurons)
                    .map(|j| {
                        (0..cfg.inputs())
                            .map(|i| fmt.to_f64(Lcg::pick(j, i, fmt.w_min, fmt.w_max)))
                            .collect()
                    })
                    .collect(),
                layers: None,
                labels: None,
                arith: None,
                config: None,
                theta: None,
            };
            let json = dir.path().join("w.json");
            wf.save(&json).unwrap();
            for f in FORMATS {
                let first = dir.path().join(format!("first.{f}"));
                let second = dir.path().join(format!("second.{f}"));
                let back = dir.path().join("back.json");
                export(&json, &cfg, &first, None, false).unwrap();
                let imported = import(&first, &cfg, &back).unwrap();
                assert_eq!(imported.weights, wf.weights, "{f}");
                export(&back, &cfg, &second, Some(f), false).unwrap();
                assert_eq!(
                    std::fs::read(&first).unwrap(),
                    std::fs::read(&second).unwrap(),
                    "{f} N={}",
                    cfg.neurons
                );
            }
        }
    }

    #[test]
    fn values_that_do_not_fit_name_neuron_input_and_value() {
        let cfg = config(3, 3, 5);
        let mut wf = WeightsFile {
            height: cfg.height,
            width: cfg.width,
            neurons: 3,
            weights: vec![vec![0.0; cfg.inputs()]; 3],
            layers: None,
            labels: None,
            arith: None,
            config: None,
            theta: None,
        };
        wf.weights[2][17] = 9.0;
        let err = format!("{:#}", quantize(&wf, &cfg, false).unwrap_err());
        assert!(
            err.contains("neuron 2, input 17") && err.contains('9'),
            "{err}"
        );
        let sat = quantize(&wf, &cfg, true).unwrap();
        assert_eq!(sat[2][17], FixedFormat::new(&cfg).unwrap().w_max);
        wf.weights[1][3] = 0.0625; // not a multiple of 2^-3
        let err = format!("{:#}", quantize(&wf, &cfg, false).unwrap_err());
        assert!(
            err.contains("neuron 1, input 3") && err.contains("0.0625"),
            "{err}"
        );
        assert_eq!(quantize(&wf, &cfg, true).unwrap()[1][3], 1);
        // Imports outside [w_min, w_max] (representable in 5 bits) are refused, named.
        let mut raw = vec![vec![0; cfg.inputs()]; 3];
        raw[0][5] = 15;
        let err = format!("{:#}", dequantize(&raw, &cfg).unwrap_err());
        assert!(
            err.contains("neuron 0, input 5") && err.contains("15"),
            "{err}"
        );
        // Shape mismatch with the configuration.
        wf.neurons = 4;
        assert!(format!("{:#}", quantize(&wf, &cfg, false).unwrap_err()).contains("4 neurons"));
    }

    fn err(text: &str, l: &MemLayout, f: MemFormat) -> String {
        format!("{:#}", parse(text, l, f, "w.x").unwrap_err())
    }

    #[test]
    fn malformed_files_are_errors_with_file_and_line() {
        let l = MemLayout {
            neurons: 3,
            inputs: 2,
            weight_bits: 4,
            lanes: 3,
        };
        // .mem: bad digit, too few words, a word too wide.
        assert!(err("8f1\n8g1\n", &l, MemFormat::Mem).contains("w.x:2"));
        assert!(err("8f1\n", &l, MemFormat::Mem).contains("1 words, expected 2"));
        assert!(err("8f1\n18f1\n", &l, MemFormat::Mem).contains("w.x:2"));
        // .coe
        let head = "memory_initialization_radix=16;\nmemory_initialization_vector=\n";
        assert!(err(&format!("{head}8f1,\ne70\n"), &l, MemFormat::Coe).contains("truncated"));
        assert!(err(&format!("{head}8f1;\n"), &l, MemFormat::Coe).contains("1 words, expected 2"));
        assert!(err(&format!("{head}8f1,\nez0;\n"), &l, MemFormat::Coe).contains("w.x:4"));
        assert!(err(&format!("{head}8f1,e70,001;\n"), &l, MemFormat::Coe)
            .contains("w.x:3: more than the 2 words"));
        assert!(err(&format!("{head}8f1,\n1e70;\n"), &l, MemFormat::Coe).contains("w.x:4"));
        assert!(err("memory_initialization_radix=10;\n", &l, MemFormat::Coe)
            .contains("w.x:1: memory_initialization_radix = 10"));
        // Comments and a one-line vector are fine.
        let ok =
            "; c\nMEMORY_INITIALIZATION_RADIX = 16 ;\nmemory_initialization_vector = 8f1 e70 ;\n";
        assert_eq!(
            parse(ok, &l, MemFormat::Coe, "x").unwrap(),
            vec![vec![1, 0], vec![-1, 7], vec![-8, -2]]
        );
        // .mif
        let mif = |depth: usize, width: usize, body: &str| {
            format!("DEPTH = {depth};\nWIDTH = {width};\nADDRESS_RADIX = HEX;\nDATA_RADIX = HEX;\nCONTENT BEGIN\n{body}")
        };
        assert!(err(
            &mif(3, 12, "0 : 8f1;\n1 : e70;\nEND;\n"),
            &l,
            MemFormat::Mif
        )
        .contains("w.x:1: DEPTH = 3"));
        assert!(err(
            &mif(2, 16, "0 : 8f1;\n1 : e70;\nEND;\n"),
            &l,
            MemFormat::Mif
        )
        .contains("w.x:2: WIDTH = 16"));
        assert!(err(&mif(2, 12, "0 : 8f1;\n1 : e70;\n"), &l, MemFormat::Mif).contains("no END"));
        assert!(
            err(&mif(2, 12, "0 : 8f1;\n1 : e70"), &l, MemFormat::Mif).contains("w.x:7: truncated")
        );
        assert!(err(&mif(2, 12, "0 : 8f1;\nEND;\n"), &l, MemFormat::Mif)
            .contains("address 1 is never set"));
        assert!(err(
            &mif(2, 12, "0 : 8f1;\n0 : 8f1;\nEND;\n"),
            &l,
            MemFormat::Mif
        )
        .contains("w.x:7: address 0 set twice"));
        assert!(err(
            &mif(2, 12, "0 : 8x1;\n1 : e70;\nEND;\n"),
            &l,
            MemFormat::Mif
        )
        .contains("w.x:6"));
        assert!(err(&mif(2, 12, "2 : 8f1;\nEND;\n"), &l, MemFormat::Mif)
            .contains("w.x:6: address 2 outside"));
        // Ranges, comments, lower case.
        let ok = "% block\ncomment -- inside %\ndepth = 2; width = 12; address_radix = hex; data_radix = hex; -- 50% off\ncontent begin -- go\n[0..1] : 8f1;\nend;\n";
        assert_eq!(
            parse(ok, &l, MemFormat::Mif, "x").unwrap(),
            vec![vec![1, 1], vec![-1, -1], vec![-8, -8]]
        );
    }

    /// Initial weights come from a weights file or any image format; a file of the wrong shape
    /// or with a weight outside `[w_min, w_max]` is an error naming it.
    #[test]
    fn initial_weights_from_each_kind_of_file() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = SnnConfig::small();
        let fmt = FixedFormat::new(&cfg).unwrap();
        let raw: Vec<Vec<i32>> = (0..cfg.neurons)
            .map(|j| {
                (0..cfg.inputs())
                    .map(|i| Lcg::pick(j, i, fmt.w_min, fmt.w_max))
                    .collect()
            })
            .collect();
        let json = dir.path().join("w.json");
        dequantize(&raw, &cfg).unwrap().save(&json).unwrap();
        assert_eq!(initial_weights(&json, &cfg, false).unwrap(), raw);
        for f in FORMATS {
            let image = dir.path().join(format!("w.{f}"));
            write_image(&image, &raw, &MemLayout::new(&cfg), f).unwrap();
            assert_eq!(initial_weights(&image, &cfg, false).unwrap(), raw, "{f}");
        }
        // Four neurons' words read as three: a word too wide, named with the file and line.
        let three = SnnConfig {
            neurons: 3,
            ..cfg.clone()
        };
        let image = dir.path().join("w.mem");
        let e = format!("{:#}", initial_weights(&image, &three, false).unwrap_err());
        assert!(
            e.contains("w.mem:1") && e.contains("initial weights"),
            "{e}"
        );
        // Three neurons' words for a memory of four: short words that `$readmemh` would take.
        for f in [MemFormat::Mem, MemFormat::Coe] {
            let image = dir.path().join(format!("three.{f}"));
            write_image(
                &image,
                &raw[..3],
                &MemLayout::of(&raw[..3], cfg.fixed.weight_bits),
                f,
            )
            .unwrap();
            let e = format!("{:#}", initial_weights(&image, &cfg, false).unwrap_err());
            let line = if f == MemFormat::Mem { 1 } else { 4 };
            assert!(
                e.contains(&format!("three.{f}:{line}")) && e.contains("has 7 hex digits"),
                "{e}"
            );
        }
        // Fewer words than inputs.
        let short = dir.path().join("short.mem");
        let short_w = [raw[0][..10].to_vec()];
        write_image(
            &short,
            &short_w,
            &MemLayout::of(&short_w, cfg.fixed.weight_bits),
            MemFormat::Mem,
        )
        .unwrap();
        let one = SnnConfig {
            neurons: 1,
            ..cfg.clone()
        };
        let e = format!("{:#}", initial_weights(&short, &one, false).unwrap_err());
        assert!(
            e.contains("short.mem") && e.contains("10 words, expected 256"),
            "{e}"
        );
        // In 9 bits but above w_max.
        let mut over = raw.clone();
        over[3][200] = fmt.w_max + 1;
        let bad = dir.path().join("over.coe");
        write_image(&bad, &over, &MemLayout::new(&cfg), MemFormat::Coe).unwrap();
        let e = format!("{:#}", initial_weights(&bad, &cfg, false).unwrap_err());
        assert!(
            e.contains("over.coe") && e.contains("neuron 3, input 200"),
            "{e}"
        );
        let e = format!(
            "{:#}",
            initial_weights(Path::new("w.bin"), &cfg, false).unwrap_err()
        );
        assert!(e.contains("w.bin"), "{e}");
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(
            MemFormat::from_path(Path::new("a/w.HEX")).unwrap(),
            MemFormat::Mem
        );
        assert_eq!(
            MemFormat::from_path(Path::new("w.coe")).unwrap(),
            MemFormat::Coe
        );
        assert_eq!(
            MemFormat::from_path(Path::new("w.mif")).unwrap(),
            MemFormat::Mif
        );
        assert!(format!(
            "{:#}",
            MemFormat::from_path(Path::new("w.bin")).unwrap_err()
        )
        .contains("w.bin"));
    }
}
