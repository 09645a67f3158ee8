//! spike_gen: the raster scan with its line buffer and 5x5 window, the receptive-field and
//! period-class pipeline, and the per-class linked lists of inputs (`head`, `count`,
//! `next_mem`) that Int, Stdp and Pen walk.
//!
//! Because the spike trains are periodic, an input is fully described by its period class; the
//! lists replace a per-step scan of all `M` inputs by a walk of exactly the inputs that spike.

use crate::params::{HwParams, S_REG_BITS};

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
/// (`pot = S / 2040`). The kernel is symmetric (rows, columns and transposition), so the sum is
/// taken per kernel value: 8 at the centre, 5, 1, -1 and -4 on their rings.
#[inline]
pub fn rf(w: &[[u8; 8]; 5]) -> i32 {
    let x = |c: usize, r: usize| w[c][r] as i32;
    let k8 = x(2, 2);
    let k5 = x(1, 2) + x(2, 1) + x(2, 3) + x(3, 2);
    let k1 = x(0, 2) + x(2, 0) + x(2, 4) + x(4, 2) + x(1, 1) + x(1, 3) + x(3, 1) + x(3, 3);
    let km1 = x(0, 1) + x(0, 3) + x(1, 0) + x(1, 4) + x(3, 0) + x(3, 4) + x(4, 1) + x(4, 3);
    let km4 = x(0, 0) + x(0, 4) + x(4, 0) + x(4, 4);
    8 * k8 + 5 * k5 + k1 - km1 - 4 * km4
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
        // Stage 3: list insertion (at the head, so a list runs in descending input order).
        if self.v3 {
            let (i, class) = (self.i3 as usize, self.class_reg as usize);
            if class == p.nc {
                self.next_mem[i] = self.head_silent;
                self.head_silent = self.i3;
            } else {
                self.next_mem[i] = self.head[class];
                self.head[class] = self.i3;
                self.count[class] += 1;
            }
        }
        // Stage 2 -> 3: period class.
        self.v3 = self.v2;
        if self.v2 {
            self.class_reg = p.class_of(self.s_reg);
            self.i3 = self.i2;
        }
        // Stage 1 -> 2: receptive field of the window.
        self.v2 = self.v1;
        if self.v1 {
            // An all-black window sums to 0 (the model skips the multiply-adds, not the stage).
            let lit = self.window.iter().any(|c| u64::from_ne_bytes(*c) != 0);
            self.s_reg = if lit { rf(&self.window) } else { 0 };
            self.i2 = self.i1;
            debug_assert!(self.s_reg.unsigned_abs() < 1 << (S_REG_BITS - 1));
        }
        if cmd == SgCmd::Drain {
            self.v1 = false;
            if self.scan_c < 2 {
                self.scan_c += 1;
            }
        } else {
            let (r, c) = (self.scan_r, self.scan_c);
            // Column rows r-4..=r: four from the line buffer (rows above the image read 0).
            let mut col = [0u8; 8];
            col[..4].copy_from_slice(&self.lb_q);
            if r < 4 {
                col[..(4 - r) as usize].fill(0);
            }
            col[4] = pixel;
            self.line_buf[c as usize] = [col[1], col[2], col[3], col[4]];
            let w = &mut self.window;
            if c == 0 {
                *w = [[0; 8], [0; 8], [0; 8], [0; 8], col];
            } else {
                *w = [w[1], w[2], w[3], w[4], col];
            }
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
            let mut x = seed;
            let pixels: Vec<u8> = (0..h * w)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let v = (x >> 56) as u8;
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
