//! spike_gen: the raster scan with its line buffer and 5x5 window, the receptive-field and
//! period-class pipeline, and the per-class linked lists of inputs (`head`, `count`,
//! `next_mem`) that Int, Stdp and Pen walk.
//!
//! Because the spike trains are periodic, an input is fully described by its period class; the
//! lists replace a per-step scan of all `M` inputs by a walk of exactly the inputs that spike.

use snn_arch::widths::S_REG_BITS;
use snn_arch::HwParams;

/// What the unit does in one cycle (driven by control).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SgCmd {
    /// Idle with `start`: scan to (0, 0), every list emptied.
    Start,
    /// One scan position (the pixel port carries the host's pixel when `pix_ready`).
    Ingest,
    /// One of the three cycles that empty the pipeline (`scan_c` counts them).
    Drain,
}

/// The unit's registers and memories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpikeGen {
    /// Scan position: row `0..H+2`, column `0..W+2`; in Drain `scan_r = H + 2` and `scan_c`
    /// counts the drain cycles `0..=2`.
    pub scan_r: u32,
    pub scan_c: u32,
    /// `window[col][row]`: columns `c-4..=c` (col 4 is the newest), rows `r-4..=r` of the scan
    /// (rows `5..8` of a column are always 0: a column is one 64-bit word in the model).
    pub window: [[u8; 8]; 5],
    /// `line_buf` read data: entry of the current scan column (read one cycle ahead).
    pub lb_q: [u8; 4],
    /// Stage 1: window complete for the centre `i1`.
    pub v1: bool,
    pub i1: u32,
    /// Stage 2: receptive-field sum `s_reg` of input `i2`.
    pub v2: bool,
    pub i2: u32,
    pub s_reg: i32,
    /// Stage 3: period class of input `i3` (`NC` = silent).
    pub v3: bool,
    pub i3: u32,
    pub class_reg: u32,
    /// Per class: first input of its list and number of inputs.
    pub head: Vec<u32>,
    pub count: Vec<u32>,
    /// First input of the list of inputs that never spike in `1..=T`.
    pub head_silent: u32,
    /// `(W + 2)` entries of four pixels: byte `k` is row `r - 4 + k` of the column.
    pub line_buf: Vec<[u8; 4]>,
    /// `next_mem[i]`: the input after `i` in its list, or `NIL`.
    pub next_mem: Vec<u32>,
    /// next_mem read data (same address as weight_mem).
    pub next_q: u32,
}

/// Receptive-field sum of a window (`window[col][row]`): `sum(8 * kernel * pixel)`
/// (`pot = S / 2040`).
#[inline]
pub fn rf(w: &[[u8; 8]; 5]) -> i32 {
    rf_cols(&w.map(u64::from_le_bytes))
}

/// [`rf`] of a window whose columns are little-endian words (byte `k` = row `k`, bytes 5..8
/// zero): the kernel's columns are `A, B, C, B, A` ([`column_kernels`]).
#[inline(always)]
fn rf_cols(x: &[u64; 5]) -> i32 {
    let k = x.map(column_kernels);
    let s = k[0].0 + k[1].1 + k[2].2 + k[3].1 + k[4].0;
    debug_assert!(s.unsigned_abs() < 1 << (S_REG_BITS - 1));
    s
}

/// Stage 3: list insertion of input `i` of class `class` into `next_mem` and the lists' heads
/// (at the head, so a list runs in descending input order).
#[inline(always)]
fn insert(
    next_mem: &mut [u32],
    head: &mut [u32],
    count: &mut [u32],
    head_silent: &mut u32,
    i: u32,
    class: u32,
    p: &HwParams,
) {
    let class = class as usize;
    if class == p.nc {
        next_mem[i as usize] = *head_silent;
        *head_silent = i;
    } else {
        next_mem[i as usize] = head[class];
        head[class] = i;
        count[class] += 1;
    }
}

/// The dot products of one column word (byte `k` = row `k`) with the kernel's column kernels
/// `A = [-4, -1, 1, -1, -4]`, `B = [-1, 1, 5, 1, -1]`, `C = [1, 5, 8, 5, 1]` (the kernel is
/// symmetric). Each needs only `e = b0 + b2 + b4`, `o = b1 + b3` and the centre `b2`: the bytes
/// are spread to 16-bit lanes (even rows, odd rows), each lane set summed by one multiplication.
/// A black column (most of them) is 0.
#[inline(always)]
fn column_kernels(col: u64) -> (i32, i32, i32) {
    if col == 0 {
        return (0, 0, 0);
    }
    const LANES: u64 = 0x00ff_00ff_00ff_00ff;
    const SUM: u64 = 0x0001_0001_0001_0001;
    let even = col & LANES;
    let e = (even.wrapping_mul(SUM) >> 48) as i32;
    let o = (((col >> 8) & LANES).wrapping_mul(SUM) >> 48) as i32;
    let m = (even >> 16 & 0xffff) as i32;
    (-4 * e - o + 5 * m, -e + o + 6 * m, e + 5 * o + 7 * m)
}

/// The scan's new column at row `r` (rows `r-4..=r`, a little-endian word): four from the line
/// buffer data `lb_q` (rows above the image read 0) and the pixel.
#[inline(always)]
fn column(lb_q: [u8; 4], r: u32, pixel: u8) -> u64 {
    let old = u32::from_le_bytes(lb_q) as u64;
    let above = if r < 4 {
        old >> (8 * (4 - r)) << (8 * (4 - r))
    } else {
        old
    };
    above | (pixel as u64) << 32
}

/// The line buffer entry written with column `col`: its rows `r-3..=r`.
#[inline(always)]
fn line_entry(col: u64) -> [u8; 4] {
    ((col >> 8) as u32).to_le_bytes()
}

/// The window after taking column `col` at scan column `c`: shifted left by one column, the
/// four older columns cleared first at `c == 0`.
#[inline(always)]
fn shifted(w: &[u64; 5], c: u32, col: u64) -> [u64; 5] {
    if c == 0 {
        [0, 0, 0, 0, col]
    } else {
        [w[1], w[2], w[3], w[4], col]
    }
}

impl SpikeGen {
    pub fn new(p: &HwParams) -> Self {
        SpikeGen {
            scan_r: 0,
            scan_c: 0,
            window: [[0; 8]; 5],
            lb_q: [0; 4],
            v1: false,
            i1: 0,
            v2: false,
            i2: 0,
            s_reg: 0,
            v3: false,
            i3: 0,
            class_reg: 0,
            head: vec![p.nil; p.nc],
            count: vec![0; p.nc],
            head_silent: p.nil,
            line_buf: vec![[0; 4]; p.width + 2],
            next_mem: vec![p.nil; p.m],
            next_q: 0,
        }
    }

    /// The core takes a pixel at this scan position (in Ingest): inside the image.
    #[inline]
    pub fn pix_ready(&self, p: &HwParams) -> bool {
        (self.scan_r as usize) < p.height && (self.scan_c as usize) < p.width
    }

    /// Last cycle of the current phase: scan position `(H+1, W+1)` in Ingest, `scan_c == 2` in Drain.
    #[inline]
    pub fn scan_last(&self, cmd: SgCmd, p: &HwParams) -> bool {
        match cmd {
            SgCmd::Ingest => {
                self.scan_r as usize == p.height + 1 && self.scan_c as usize == p.width + 1
            }
            SgCmd::Drain => self.scan_c == 2,
            SgCmd::Start => false,
        }
    }

    /// One clock edge of the scan, the pipeline and the lists; `pixel` is the pixel port (0
    /// unless `pix_ready`). The stages are updated last first, so each takes the current value
    /// of the stage before it: every register gets its next value from current values only.
    #[inline(always)]
    pub fn clock(&mut self, cmd: SgCmd, pixel: u8, p: &HwParams) {
        match cmd {
            SgCmd::Start => {
                self.scan_r = 0;
                self.scan_c = 0;
                self.head.fill(p.nil);
                self.count.fill(0);
                self.head_silent = p.nil;
                self.lb_q = self.line_buf[0];
                return;
            }
            SgCmd::Ingest | SgCmd::Drain => {}
        }
        if self.v3 {
            let sg = &mut *self;
            insert(
                &mut sg.next_mem,
                &mut sg.head,
                &mut sg.count,
                &mut sg.head_silent,
                sg.i3,
                sg.class_reg,
                p,
            );
        }
        // Stage 2 -> 3: period class.
        self.v3 = self.v2;
        if self.v2 {
            self.class_reg = p.class_of(self.s_reg);
            self.i3 = self.i2;
        }
        // Stage 1 -> 2: receptive field of the window (a black one sums to 0 without the
        // multiply-adds), or with the pixel code its centre pixel.
        self.v2 = self.v1;
        if self.v1 {
            self.s_reg = if p.pixel_code {
                self.window[2][2] as i32
            } else {
                rf_cols(&self.window.map(u64::from_le_bytes))
            };
            self.i2 = self.i1;
        }
        if cmd == SgCmd::Drain {
            self.v1 = false;
            if self.scan_c < 2 {
                self.scan_c += 1;
            }
        } else {
            let (r, c) = (self.scan_r, self.scan_c);
            let col = column(self.lb_q, r, pixel);
            self.line_buf[c as usize] = line_entry(col);
            let w = shifted(&self.window.map(u64::from_le_bytes), c, col);
            self.window = w.map(u64::to_le_bytes);
            self.v1 = r >= 2 && c >= 2;
            if self.v1 {
                self.i1 = (r - 2) * p.width as u32 + (c - 2);
            }
            if c as usize == p.width + 1 {
                self.scan_c = 0;
                self.scan_r = r + 1;
            } else {
                self.scan_c = c + 1;
            }
        }
        // The line buffer is read one cycle ahead, at the next scan column (never the column
        // written in this cycle).
        self.lb_q = self.line_buf[self.scan_c as usize];
    }

    /// The whole Ingest phase and Drain in one call, from the first Ingest cycle (scan at
    /// `(0, 0)`, pipeline empty, as `start` leaves it): every register and memory as the
    /// `(H+2)(W+2) + 3` edges of [`SpikeGen::clock`] leave them (the edge count is returned).
    ///
    /// The pipeline inserts every input in raster order with the class of its window's sum,
    /// and it ends empty holding the last input (`i1 = i2 = i3 = M - 1`, its `s_reg` and
    /// `class_reg`); the window, the line buffer and `lb_q` end with the last rows and columns of
    /// the padded image. So this computes the sums row by row instead of per edge: each column of
    /// five pixels is reduced once to its dot products with the three column kernels of the
    /// receptive field, and an input's sum adds five of them.
    pub fn ingest_image(&mut self, pixels: &[u8], p: &HwParams) -> u64 {
        debug_assert!(self.scan_r == 0 && self.scan_c == 0 && !self.v1 && !self.v2 && !self.v3);
        let (h, w) = (p.height, p.width);
        // Pixel (y, x) of the padded image: 0 outside the image.
        let px = |y: isize, x: isize| {
            let inside = (0..h as isize).contains(&y) && (0..w as isize).contains(&x);
            if inside {
                pixels[y as usize * w + x as usize]
            } else {
                0
            }
        };
        // Column words of the centre row y (byte k = row y - 2 + k), starting at y = -1.
        let mut cols: Vec<u64> = (0..w)
            .map(|x| (px(0, x as isize) as u64) << 24 | (px(1, x as isize) as u64) << 32)
            .collect();
        // Their kernel products A, B, C at padded column x + 2 (two zero columns each side).
        let mut kern = vec![0i32; 3 * (w + 4)];
        let mut head_silent = self.head_silent;
        let mut last = (0, 0);
        // The pixel code classifies each pixel itself.
        let h_rf = if p.pixel_code { 0 } else { h };
        if p.pixel_code {
            for (i, &px) in pixels.iter().enumerate() {
                let (s, class) = (px as i32, p.class_of(px as i32));
                let (next_mem, head, count) = (&mut self.next_mem, &mut self.head, &mut self.count);
                insert(next_mem, head, count, &mut head_silent, i as u32, class, p);
                last = (s, class);
            }
        }
        for y in 0..h_rf {
            match pixels.get((y + 2) * w..(y + 3) * w) {
                Some(row) => {
                    for (col, &px) in cols.iter_mut().zip(row) {
                        *col = *col >> 8 | (px as u64) << 32;
                    }
                }
                None => cols.iter_mut().for_each(|col| *col >>= 8),
            }
            if cols.iter().all(|&col| col == 0) {
                // Five black rows: every sum of the row is 0.
                let class = p.class_of(0);
                for i in (y * w..(y + 1) * w).map(|i| i as u32) {
                    let (next_mem, head, count) =
                        (&mut self.next_mem, &mut self.head, &mut self.count);
                    insert(next_mem, head, count, &mut head_silent, i, class, p);
                }
                last = (0, class);
                continue;
            }
            let (ka, rest) = kern.split_at_mut(w + 4);
            let (kb, kc) = rest.split_at_mut(w + 4);
            for (x, &col) in cols.iter().enumerate() {
                (ka[x + 2], kb[x + 2], kc[x + 2]) = column_kernels(col);
            }
            let sums = ka[..w]
                .iter()
                .zip(&ka[4..])
                .zip(&kb[1..])
                .zip(&kb[3..])
                .zip(&kc[2..]);
            for (x, ((((a0, a4), b1), b3), c2)) in sums.enumerate() {
                let s = a0 + b1 + c2 + b3 + a4;
                let class = p.class_of(s);
                let i = (y * w + x) as u32;
                let (next_mem, head, count) = (&mut self.next_mem, &mut self.head, &mut self.count);
                insert(next_mem, head, count, &mut head_silent, i, class, p);
                last = (s, class);
            }
        }
        self.head_silent = head_silent;
        let m = (h * w) as u32;
        (self.v1, self.v2, self.v3) = (false, false, false);
        (self.i1, self.i2, self.i3) = (m - 1, m - 1, m - 1);
        (self.s_reg, self.class_reg) = last;
        // The last scan position (H+1, W+1): the window holds columns W-3..=W+1 and rows
        // H-3..=H+1, line_buf[c] rows H-2..=H+1 of column c.
        let word = |x: isize, top: isize, rows: isize| {
            (0..rows).fold(0u64, |acc, k| acc | (px(top + k, x) as u64) << (8 * k))
        };
        let (h, w) = (h as isize, w as isize);
        for (j, col) in (0..).zip(&mut self.window) {
            *col = word(w - 3 + j, h - 3, 5).to_le_bytes();
        }
        for (c, entry) in (0..).zip(&mut self.line_buf) {
            *entry = (word(c, h - 2, 4) as u32).to_le_bytes();
        }
        (self.scan_r, self.scan_c) = (h as u32 + 2, 2);
        self.lb_q = self.line_buf[2];
        p.scan_cycles + 3
    }

    /// next_mem's read port at the edge (the address weight_mem is read with). next_mem is
    /// written only in Ingest and Drain and read only after them, so the order within the edge
    /// does not matter.
    #[inline]
    pub fn read_next(&mut self, addr: u32) {
        self.next_q = self.next_mem[addr as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;
    use snn_core::spike_gen::{encode, PeriodTable, RF_KERNEL_X8};

    /// Drives the unit alone through Start, Ingest and Drain (a stub control), returning the
    /// number of Ingest + Drain cycles.
    fn ingest(sg: &mut SpikeGen, pixels: &[u8], p: &HwParams) -> u64 {
        sg.clock(SgCmd::Start, 0, p);
        let mut cmd = SgCmd::Ingest;
        let mut pos = 0;
        let mut cycles = 0;
        loop {
            let pixel = if sg.pix_ready(p) {
                pos += 1;
                pixels[pos - 1]
            } else {
                0
            };
            let last = sg.scan_last(cmd, p);
            sg.clock(cmd, pixel, p);
            cycles += 1;
            if last {
                if cmd == SgCmd::Drain {
                    break;
                }
                cmd = SgCmd::Drain;
            }
        }
        assert_eq!(pos, pixels.len(), "every pixel taken exactly once");
        cycles
    }

    /// The inputs of each list, walked from its head.
    fn walk(sg: &SpikeGen, mut i: u32, p: &HwParams) -> Vec<u32> {
        let mut v = Vec::new();
        while i != p.nil {
            v.push(i);
            i = sg.next_mem[i as usize];
        }
        v
    }

    #[test]
    fn lists_hold_exactly_the_inputs_of_each_class_after_h2_w2_plus_3_cycles() {
        for (h, w, seed) in [
            (16usize, 16usize, 1u64),
            (5, 7, 2),
            (1, 1, 3),
            (28, 28, 4),
            (3, 12, 5),
        ] {
            let cfg = SnnConfig {
                height: h,
                width: w,
                t_steps: 150,
                ..SnnConfig::default()
            };
            let p = HwParams::new(&cfg).unwrap();
            let mut rng = snn_testkit::Lcg::new(seed);
            let pixels: Vec<u8> = (0..h * w)
                .map(|_| {
                    let v = (rng.next_u64() >> 56) as u8;
                    if v < 128 {
                        0
                    } else {
                        v
                    }
                })
                .collect();
            let mut sg = SpikeGen::new(&p);
            // Twice: the second image must not see anything of the first.
            for _ in 0..2 {
                assert_eq!(
                    ingest(&mut sg, &pixels, &p),
                    (h as u64 + 2) * (w as u64 + 2) + 3
                );
                let enc = encode(&cfg, &PeriodTable::new(&cfg), &pixels, h, w);
                for c in 0..p.nc {
                    let mut got = walk(&sg, sg.head[c], &p);
                    got.sort_unstable();
                    let want: Vec<u32> = (0..p.m as u32)
                        .filter(|&i| enc.periods[i as usize] == Some(p.lo + c as u32))
                        .collect();
                    assert_eq!(got, want, "{h}x{w} class {c}");
                    assert_eq!(sg.count[c] as usize, want.len());
                }
                let mut silent = walk(&sg, sg.head_silent, &p);
                silent.sort_unstable();
                let want: Vec<u32> = (0..p.m as u32)
                    .filter(|&i| !enc.ever_spikes(i as usize))
                    .collect();
                assert_eq!(silent, want, "{h}x{w} silent");
            }
        }
    }

    #[test]
    fn rf_weighs_each_window_pixel_by_its_kernel_entry() {
        for c in 0..5 {
            for r in 0..5 {
                let mut w = [[0u8; 8]; 5];
                w[c][r] = 3;
                assert_eq!(rf(&w), 3 * RF_KERNEL_X8[r][c], "col {c} row {r}");
            }
        }
    }

    #[test]
    fn rf_is_the_kernel_dot_product_of_random_windows() {
        let mut rng = snn_testkit::Lcg::new(7);
        for _ in 0..10_000 {
            let mut w = [[0u8; 8]; 5];
            for col in &mut w {
                for px in &mut col[..5] {
                    let x = rng.next_u64();
                    *px = if x >> 63 == 1 { (x >> 40) as u8 } else { 255 };
                }
            }
            let want: i32 = (0..5)
                .flat_map(|c| (0..5).map(move |r| (c, r)))
                .map(|(c, r)| RF_KERNEL_X8[r][c] * w[c][r] as i32)
                .sum();
            assert_eq!(rf(&w), want, "{w:?}");
        }
    }

    #[test]
    fn rf_of_a_centred_pixel_is_the_kernel_centre() {
        let mut w = [[0u8; 8]; 5];
        w[2][2] = 255;
        assert_eq!(rf(&w), 8 * 255);
        assert_eq!(
            rf(&[[255, 255, 255, 255, 255, 0, 0, 0]; 5]),
            255 * (36 - 24)
        );
    }
}
