//! spike_gen: receptive field and deterministic rate code (SPEC sections 2-4).
//!
//! Every kernel entry is a multiple of 1/8, so the receptive-field potential is exactly
//! `S / 2040` with the integer `S = sum(8 * kernel * pixel)` (2040 = 8 * 255). All levels compute
//! the integer `S`; the period is a monotone step function of `S`, so the [`PeriodTable`] of the
//! sums at which it changes gives the spec's `ceil(600 / interp(pot))` with no divider, and the
//! float and fixed models see identical spike trains by construction.

use crate::config::{Encoding, SnnConfig};

/// The SPEC section 2 kernel times 8.
pub const RF_KERNEL_X8: [[i32; 5]; 5] = [
    [-4, -1, 1, -1, -4],
    [-1, 1, 5, 1, -1],
    [1, 5, 8, 5, 1],
    [-1, 1, 5, 1, -1],
    [-4, -1, 1, -1, -4],
];

/// The `pixel` code's stage 2 (SPEC section 11: no receptive field) as a kernel: the window's
/// centre pixel itself, which the pixel table (`PeriodTable::of_code`) classifies.
pub const PIXEL_KERNEL: [[i32; 5]; 5] = [
    [0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0],
    [0, 0, 1, 0, 0],
    [0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0],
];

/// `pot = S / RF_SCALE`.
pub const RF_SCALE: f64 = 2040.0;

/// Largest and smallest receptive-field sums any 8-bit image can produce.
pub const RF_SUM_MAX: i32 = 255 * 36;
pub const RF_SUM_MIN: i32 = -255 * 24;

/// Receptive-field sums of every input, row-major; neighbours outside the image contribute 0.
///
/// The image is copied into a buffer with a zero border of two pixels, so "outside contributes
/// nothing" needs no test. Output `(r, c)` is accumulated at `r * pw + c` of a buffer with the
/// padded row pitch `pw`: then every kernel tap `(m, n)` adds `k * padded[x + m * pw + n]` to every
/// `acc[x]`, one long loop over the whole image that the compiler vectorizes (the columns
/// `width..pw` of each row collect garbage and are dropped). It runs in `i16` (twice the lanes of
/// `i32`, and a multiply baseline x86-64 has): every partial sum adds a subset of the positive
/// taps and a subset of the negative ones, so it lies in `RF_SUM_MIN..=RF_SUM_MAX`, and the
/// garbage columns are such sums too. Integer sums are exact, so the order of the taps is free.
pub fn rf_sums(pixels: &[u8], height: usize, width: usize) -> Vec<i32> {
    assert_eq!(pixels.len(), height * width, "image size");
    if width == 0 {
        return Vec::new();
    }
    let pw = width + 4;
    let len = height * pw;
    // `len` outputs read up to `len - 1 + 4 * pw + 4`: four rows of bottom border plus 4.
    let mut padded = vec![0i16; len + 4 * pw + 4];
    for (r, line) in pixels.chunks_exact(width).enumerate() {
        for (dst, &p) in padded[(r + 2) * pw + 2..][..width].iter_mut().zip(line) {
            *dst = p as i16;
        }
    }
    let mut acc = vec![0i16; len];
    for (m, krow) in RF_KERNEL_X8.iter().enumerate() {
        for (n, &k) in krow.iter().enumerate() {
            let k = k as i16;
            for (o, &p) in acc.iter_mut().zip(&padded[m * pw + n..][..len]) {
                *o += k * p;
            }
        }
    }
    let mut sums = Vec::with_capacity(height * width);
    for row in acc.chunks_exact(pw) {
        sums.extend(row[..width].iter().map(|&s| s as i32));
    }
    sums
}

/// The spec's period for a real potential: `ceil(numerator / interp(pot))`, `None` when `pot <= 0`.
/// The interpolation is written as numpy's `interp` computes it (slope first).
pub fn period_of_potential(cfg: &SnnConfig, pot: f64) -> Option<u32> {
    if pot <= 0.0 {
        return None;
    }
    let [x0, x1] = cfg.pot_range;
    let [r0, r1] = cfg.rate_range;
    let rate = if pot <= x0 {
        r0
    } else if pot >= x1 {
        r1
    } else {
        (r1 - r0) / (x1 - x0) * (pot - x0) + r0
    };
    Some((cfg.period_numerator / rate).ceil() as u32)
}

/// The potentials (as integer sums `S`) at which the period changes.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodTable {
    /// Shortest period (reached at the largest sums).
    pub lo: u32,
    /// Longest period of a positive potential (reached at `S = 1`).
    pub hi: u32,
    /// `breakpoints[p - lo]`: the smallest `S > 0` whose period is `<= p`; non-increasing in `p`.
    pub breakpoints: Vec<i32>,
}

impl PeriodTable {
    /// Built by scanning every reachable positive sum, so it is exact for every image.
    pub fn new(cfg: &SnnConfig) -> Self {
        PeriodTable::scan(RF_SUM_MAX, |s| {
            period_of_potential(cfg, s as f64 / RF_SCALE).expect("S > 0")
        })
    }

    /// The table of the values the hardware's spike generator classifies under `cfg`'s input
    /// code: receptive-field sums, or for the `pixel` code the raw pixels (`1..=255`, the
    /// [`pixel_period`] of each), which its stage 2 passes on instead of a sum.
    pub fn of_code(cfg: &SnnConfig) -> Self {
        match cfg.encoding {
            Encoding::Pixel => PeriodTable::scan(255, |s| {
                pixel_period(cfg, s as u8).expect("a pixel above 0 spikes")
            }),
            _ => PeriodTable::new(cfg),
        }
    }

    /// The table of `period` over the values `1..=max`, which must not grow with the value.
    fn scan(max: i32, period: impl Fn(i32) -> u32) -> Self {
        let hi = period(1);
        let lo = period(max);
        let mut breakpoints = vec![i32::MAX; (hi - lo + 1) as usize];
        let mut last = hi;
        for s in 1..=max {
            let p = period(s);
            assert!(
                p <= last,
                "period must not grow with the potential (S = {s})"
            );
            last = p;
            for slot in breakpoints.iter_mut().skip((p - lo) as usize) {
                if *slot == i32::MAX {
                    *slot = s;
                } else {
                    break;
                }
            }
        }
        PeriodTable {
            lo,
            hi,
            breakpoints,
        }
    }

    /// The period of sum `s`: the smallest `p` whose breakpoint `s` reaches; `None` when `s <= 0`.
    pub fn period(&self, s: i32) -> Option<u32> {
        if s <= 0 {
            return None;
        }
        // breakpoints is non-increasing: count the periods whose breakpoint lies above s.
        let above = self.breakpoints.partition_point(|&b| b > s);
        Some(self.lo + above as u32)
    }
}

/// The spike trains of one image, whatever the input code.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoded {
    pub height: usize,
    pub width: usize,
    pub t_steps: u32,
    /// Receptive-field sums (`pot = sum / 2040`); for the `pixel` code `8 * pixel`, so that the
    /// potential reads `pixel / 255`.
    pub sums: Vec<i32>,
    /// Period of each input under its code (`None` never spikes). The `rate` and `pixel` codes
    /// spike at its multiples; `phased` and `bernoulli` use it as their rate.
    pub periods: Vec<Option<u32>>,
    /// Peak number of inputs spiking at one step (SPEC section 4, before the division).
    pub peak_count: u32,
    /// The inputs spiking at step `t` are `spikes[step_start[t]..step_start[t + 1]]`, ascending:
    /// the whole spike raster in two flat vectors (`t in 0..=T`), so that a presentation and its
    /// STDP visit only the ~600 spikes of an MNIST image instead of all inputs at every step.
    step_start: Vec<u32>,
    spikes: Vec<u32>,
    /// Whether input `i` spikes at least once in `1..=T` (the penalty's "silent" test).
    ever: Vec<bool>,
}

impl Encoded {
    /// The raster of the inputs whose spike times (ascending, in `1..=T`) `train(i, period,
    /// emit)` produces by calling `emit(t)` (`period` is `periods[i]`). A counting sort by step: one pass counts, one fills in
    /// ascending input order, so each step's list is ascending.
    pub fn from_trains(
        (height, width): (usize, usize),
        t_steps: u32,
        sums: Vec<i32>,
        periods: Vec<Option<u32>>,
        train: impl Fn(usize, Option<u32>, &mut dyn FnMut(u32)),
    ) -> Encoded {
        let m = periods.len();
        let mut step_start = vec![0u32; t_steps as usize + 2];
        let mut ever = vec![false; m];
        for (i, e) in ever.iter_mut().enumerate() {
            train(i, periods[i], &mut |t| {
                debug_assert!((1..=t_steps).contains(&t), "spike time {t} outside 1..=T");
                step_start[t as usize + 1] += 1;
                *e = true;
            });
        }
        let peak_count = step_start.iter().copied().max().unwrap_or(0);
        for t in 1..step_start.len() {
            step_start[t] += step_start[t - 1];
        }
        let mut cursor = step_start.clone();
        let mut spikes = vec![0u32; step_start[t_steps as usize + 1] as usize];
        for i in 0..m {
            train(i, periods[i], &mut |t| {
                spikes[cursor[t as usize] as usize] = i as u32;
                cursor[t as usize] += 1;
            });
        }
        Encoded {
            height,
            width,
            t_steps,
            sums,
            periods,
            peak_count,
            step_start,
            spikes,
            ever,
        }
    }

    /// The raster of a layer's output: input `i` spikes at the steps `trains[i]` (ascending, in
    /// `1..=T`), the inputs of the next layer (SPEC section 12). It has no receptive field and
    /// no period (`sums` 0, `periods` `None`), and need not be periodic.
    pub fn from_spike_times(t_steps: u32, trains: &[Vec<u32>]) -> Encoded {
        let n = trains.len();
        Encoded::from_trains((1, n), t_steps, vec![0; n], vec![None; n], |i, _, emit| {
            for &t in &trains[i] {
                emit(t);
            }
        })
    }

    /// Receptive-field potential of input `i`.
    pub fn potential(&self, i: usize) -> f64 {
        self.sums[i] as f64 / RF_SCALE
    }

    /// Whether input `i` spikes at step `t` (`t = 0` never spikes).
    pub fn spikes_at(&self, i: usize, t: u32) -> bool {
        t <= self.t_steps && self.inputs_at(t).binary_search(&(i as u32)).is_ok()
    }

    /// Whether input `i` spikes at least once in `1..=T`.
    #[inline]
    pub fn ever_spikes(&self, i: usize) -> bool {
        self.ever[i]
    }

    /// Spike times of input `i`.
    pub fn spike_times(&self, i: usize) -> Vec<u32> {
        if !self.ever[i] {
            return Vec::new();
        }
        (1..=self.t_steps)
            .filter(|&t| self.spikes_at(i, t))
            .collect()
    }

    /// Inputs spiking at step `t` (`0..=T`), ascending.
    #[inline]
    pub fn inputs_at(&self, t: u32) -> &[u32] {
        let t = t as usize;
        &self.spikes[self.step_start[t] as usize..self.step_start[t + 1] as usize]
    }

    /// Inputs spiking at each step, ascending: `by_step[t]` for `t in 0..=T` (an owned copy of
    /// what [`Encoded::inputs_at`] borrows).
    pub fn by_step(&self) -> Vec<Vec<u32>> {
        (0..=self.t_steps)
            .map(|t| self.inputs_at(t).to_vec())
            .collect()
    }

    /// Total number of input spikes over the presentation.
    pub fn total_spikes(&self) -> u32 {
        self.spikes.len() as u32
    }
}

/// Calls `emit(t)` for `t = first, first + period, ...` while `t <= t_steps`.
#[inline]
fn periodic(first: u32, period: u32, t_steps: u32, emit: &mut dyn FnMut(u32)) {
    let mut t = first;
    while t <= t_steps {
        emit(t);
        t += period;
    }
}

/// Encodes one image with the seed's rate code (SPEC section 3): receptive field, period of
/// every input, the spike raster by step and the peak simultaneous spike count.
pub fn encode(
    cfg: &SnnConfig,
    table: &PeriodTable,
    pixels: &[u8],
    height: usize,
    width: usize,
) -> Encoded {
    let sums = rf_sums(pixels, height, width);
    let periods: Vec<Option<u32>> = sums.iter().map(|&s| table.period(s)).collect();
    let t_steps = cfg.t_steps;
    Encoded::from_trains(
        (height, width),
        t_steps,
        sums,
        periods,
        |_, period, emit| {
            if let Some(p) = period {
                periodic(p, p, t_steps, emit);
            }
        },
    )
}

/// The input code of a configuration (SPEC section 11) with everything that does not depend on
/// the image computed once: the period table and the LFSR draws of `phased` and `bernoulli`.
#[derive(Clone, Debug, PartialEq)]
pub struct InputCode {
    pub encoding: Encoding,
    pub table: PeriodTable,
    /// `pixel` code: the period of each pixel value (`None` for 0).
    pixel_periods: Vec<Option<u32>>,
    /// `phased`: one 16-bit draw per input; `phase = 1 + draw mod period`.
    phase_draws: Vec<u16>,
    /// `bernoulli`: one 16-bit draw per (step, input), step-major from step 1; a spike when
    /// `draw * period < 2^16`, i.e. `draw < 2^16 / period`.
    bernoulli_draws: Vec<u16>,
}

impl InputCode {
    pub fn new(cfg: &SnnConfig) -> Self {
        let m = cfg.inputs();
        let draws = |stream: u64, count: usize| {
            let mut lfsr = Lfsr32::new(cfg.seed, stream);
            (0..count).map(|_| lfsr.draw16()).collect::<Vec<u16>>()
        };
        InputCode {
            encoding: cfg.encoding,
            table: PeriodTable::new(cfg),
            pixel_periods: match cfg.encoding {
                Encoding::Pixel => (0..=255u8).map(|p| pixel_period(cfg, p)).collect(),
                _ => Vec::new(),
            },
            phase_draws: match cfg.encoding {
                Encoding::Phased => draws(PHASE_STREAM, m),
                _ => Vec::new(),
            },
            bernoulli_draws: match cfg.encoding {
                Encoding::Bernoulli => draws(BERNOULLI_STREAM, m * cfg.t_steps as usize),
                _ => Vec::new(),
            },
        }
    }

    /// The spike trains of one image under this code.
    pub fn encode(&self, cfg: &SnnConfig, pixels: &[u8], height: usize, width: usize) -> Encoded {
        let t = cfg.t_steps;
        match self.encoding {
            Encoding::Rate => encode(cfg, &self.table, pixels, height, width),
            Encoding::Pixel => {
                assert_eq!(pixels.len(), height * width, "image size");
                let periods: Vec<Option<u32>> = pixels
                    .iter()
                    .map(|&p| self.pixel_periods[p as usize])
                    .collect();
                let sums = pixels.iter().map(|&p| 8 * p as i32).collect();
                Encoded::from_trains((height, width), t, sums, periods, |_, period, emit| {
                    if let Some(p) = period {
                        periodic(p, p, t, emit);
                    }
                })
            }
            Encoding::Phased => {
                let sums = rf_sums(pixels, height, width);
                let periods: Vec<Option<u32>> =
                    sums.iter().map(|&s| self.table.period(s)).collect();
                Encoded::from_trains((height, width), t, sums, periods, |i, period, emit| {
                    if let Some(p) = period {
                        periodic(1 + self.phase_draws[i] as u32 % p, p, t, emit);
                    }
                })
            }
            Encoding::Bernoulli => {
                let sums = rf_sums(pixels, height, width);
                let periods: Vec<Option<u32>> =
                    sums.iter().map(|&s| self.table.period(s)).collect();
                let m = periods.len();
                Encoded::from_trains((height, width), t, sums, periods, |i, period, emit| {
                    if let Some(p) = period {
                        for step in 1..=t {
                            let draw = self.bernoulli_draws[(step as usize - 1) * m + i];
                            if (draw as u64) * (p as u64) < 1 << 16 {
                                emit(step);
                            }
                        }
                    }
                })
            }
        }
    }
}

/// The `pixel` code's period of a raw pixel: the rate interpolated from `[0, 255]` to
/// `rate_range` (slope first, as numpy's `interp`), `ceil(numerator / rate)`; 0 never spikes.
pub fn pixel_period(cfg: &SnnConfig, pixel: u8) -> Option<u32> {
    if pixel == 0 {
        return None;
    }
    let [r0, r1] = cfg.rate_range;
    let rate = (r1 - r0) / 255.0 * pixel as f64 + r0;
    Some((cfg.period_numerator / rate).ceil() as u32)
}

/// LFSR streams of the input codes: the phases and the Bernoulli draws never share a draw.
pub const PHASE_STREAM: u64 = 1;
pub const BERNOULLI_STREAM: u64 = 2;

/// The input codes' random source: a 32-bit Galois LFSR shifted right with the feedback mask
/// `0x8020_0003` (taps 32, 22, 2, 1: the maximal-length polynomial `x^32 + x^22 + x^2 + x + 1`),
/// a form a hardware code generator builds from one register and four XOR gates.
#[derive(Clone, Debug)]
pub struct Lfsr32(u32);

impl Lfsr32 {
    /// The register seeded from the configuration's seed and a stream number; never all zero.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mixed = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let s = (mixed as u32) ^ ((mixed >> 32) as u32) ^ 0xACE1_2468;
        Lfsr32(if s == 0 { 1 } else { s })
    }

    /// One shift.
    #[inline]
    pub fn step(&mut self) -> u32 {
        let lsb = self.0 & 1;
        self.0 >>= 1;
        if lsb != 0 {
            self.0 ^= 0x8020_0003;
        }
        self.0
    }

    /// A 16-bit draw: 16 shifts, then the low half of the register (each draw has its own bits).
    pub fn draw16(&mut self) -> u16 {
        for _ in 0..16 {
            self.step();
        }
        self.0 as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pixel_table_gives_every_pixel_its_period() {
        let cfg = SnnConfig {
            encoding: Encoding::Pixel,
            ..SnnConfig::default()
        };
        let table = PeriodTable::of_code(&cfg);
        assert_eq!(table.period(0), None);
        for px in 1..=255u8 {
            assert_eq!(
                table.period(px as i32),
                pixel_period(&cfg, px),
                "pixel {px}"
            );
        }
        assert_eq!(table.lo, pixel_period(&cfg, 255).unwrap());
        assert_eq!(
            PeriodTable::of_code(&SnnConfig::default()),
            PeriodTable::new(&SnnConfig::default())
        );
    }

    #[test]
    fn kernel_matches_spec_times_eight() {
        let spec = [
            [-0.5, -0.125, 0.125, -0.125, -0.5],
            [-0.125, 0.125, 0.625, 0.125, -0.125],
            [0.125, 0.625, 1.0, 0.625, 0.125],
            [-0.125, 0.125, 0.625, 0.125, -0.125],
            [-0.5, -0.125, 0.125, -0.125, -0.5],
        ];
        for m in 0..5 {
            for n in 0..5 {
                assert_eq!(RF_KERNEL_X8[m][n] as f64, spec[m][n] * 8.0);
            }
        }
        let pos: i32 = RF_KERNEL_X8.iter().flatten().filter(|&&k| k > 0).sum();
        let neg: i32 = RF_KERNEL_X8.iter().flatten().filter(|&&k| k < 0).sum();
        assert_eq!((255 * pos, 255 * neg), (RF_SUM_MAX, RF_SUM_MIN));
    }

    #[test]
    fn single_pixel_receptive_field_by_hand() {
        // A 5x5 image with only the centre at 255: input (i, j) sees the kernel entry at
        // (2 - i + 2, 2 - j + 2) mirrored, i.e. the centre input gets 1.0 = 2040/2040.
        let mut px = vec![0u8; 25];
        px[12] = 255;
        let s = rf_sums(&px, 5, 5);
        assert_eq!(s[12], 8 * 255);
        assert_eq!(s[0], -4 * 255);
        assert_eq!(s[7], 5 * 255);
        // Corner pixel: only the part of the kernel inside the image counts.
        let mut px = vec![0u8; 25];
        px[0] = 100;
        assert_eq!(rf_sums(&px, 5, 5)[0], 8 * 100);
    }

    #[test]
    fn period_table_equals_the_float_formula_everywhere() {
        let cfg = SnnConfig::default();
        let table = PeriodTable::new(&cfg);
        assert_eq!((table.lo, table.hi), (30, 96));
        for s in RF_SUM_MIN..=RF_SUM_MAX {
            assert_eq!(
                table.period(s),
                period_of_potential(&cfg, s as f64 / RF_SCALE),
                "S = {s}"
            );
        }
    }

    #[test]
    fn period_by_hand() {
        let cfg = SnnConfig::default();
        // pot = 1.0: rate = 19/3.85 * 2.069 + 1 = 11.2106..., 600 / rate = 53.52 -> 54.
        assert_eq!(period_of_potential(&cfg, 1.0), Some(54));
        assert_eq!(period_of_potential(&cfg, 3.0), Some(30));
        assert_eq!(period_of_potential(&cfg, 0.0), None);
    }

    #[test]
    fn encode_raster_agrees_with_the_periods() {
        let cfg = SnnConfig {
            height: 5,
            width: 5,
            ..SnnConfig::default()
        };
        let table = PeriodTable::new(&cfg);
        let px: Vec<u8> = (0..25u32).map(|k| (k * 37 % 256) as u8).collect();
        let e = encode(&cfg, &table, &px, 5, 5);
        // The raster by step is exactly "t is a positive multiple of the period, t <= T".
        let by = e.by_step();
        assert_eq!(by.len(), cfg.t_steps as usize + 1);
        for (t, inputs) in by.iter().enumerate() {
            let expected: Vec<u32> = (0..25u32)
                .filter(|&i| e.spikes_at(i as usize, t as u32))
                .collect();
            assert_eq!(inputs, &expected, "t = {t}");
        }
        assert_eq!(by[0].len(), 0);
        let peak = by.iter().map(|v| v.len() as u32).max().unwrap();
        assert_eq!(e.peak_count, peak);
        let total: u32 = e.periods.iter().flatten().map(|&p| cfg.t_steps / p).sum();
        assert_eq!(e.total_spikes(), total);
    }
}
