//! spike_gen: the raster scan with its line buffer and 5x5 window, the receptive-field and
//! period-class pipeline, and the per-class linked lists of inputs (`head`, `count`,
//! `next_mem`) that Int, Stdp and Pen walk.
//!
//! Because the spike trains are periodic, an input is fully described by its period class; the
//! lists replace a per-step scan of all `M` inputs by a walk of exactly the inputs that spike.

use crate::params::{HwParams, S_REG_BITS};
use snn_core::spike_gen::RF_KERNEL_X8;

/// What the unit does in one cycle (driven by control).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SgCmd {
    Hold,
    /// Idle with `start`: scan to (0, 0), every list emptied.
    Start,
    /// One scan position (the pixel port carries the host's pixel when `pix_ready`).
    Ingest,
    /// One of the three cycles that empty the pipeline (`scan_c` counts them).
    Drain,
}

/// Next values of the small registers and the memory write ports of one cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SgNext {
    pub scan_r: u32,
    pub scan_c: u32,
    pub window: [[u8; 5]; 5],
    pub v1: bool,
    pub i1: u32,
    pub v2: bool,
    pub i2: u32,
    pub s_reg: i32,
    pub v3: bool,
    pub i3: u32,
    pub class_reg: u32,
    pub head_silent: u32,
    /// Empty every list (`head = NIL`, `count = 0`).
    pub clear: bool,
    /// `line_buf[c] <= word`.
    pub lb_write: Option<(u32, [u8; 4])>,
    /// List insertion of stage 3: `next_mem[i3] <= old head`, `head[class] <= i3`,
    /// `count[class] += 1` (the silent list only moves `head_silent`).
    pub insert: Option<(u32, u32)>,
}

/// The unit's registers and memories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpikeGen {
    /// Scan position: row `0..H+2`, column `0..W+2`; in Drain `scan_r = H + 2` and `scan_c`
    /// counts the drain cycles `0..=2`.
    pub scan_r: u32,
    pub scan_c: u32,
    /// `window[row][col]`: rows `r-4..=r`, columns `c-4..=c` of the scan (col 4 is the newest).
    pub window: [[u8; 5]; 5],
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

/// Receptive-field sum of a window: `sum(8 * kernel * pixel)` (`pot = S / 2040`).
pub fn rf(window: &[[u8; 5]; 5]) -> i32 {
    let mut s = 0;
    for (wr, kr) in window.iter().zip(RF_KERNEL_X8.iter()) {
        for (&px, &k) in wr.iter().zip(kr.iter()) {
            s += k * px as i32;
        }
    }
    s
}

impl SpikeGen {
    pub fn new(p: &HwParams) -> Self {
        SpikeGen {
            scan_r: 0,
            scan_c: 0,
            window: [[0; 5]; 5],
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
    pub fn pix_ready(&self, p: &HwParams) -> bool {
        (self.scan_r as usize) < p.height && (self.scan_c as usize) < p.width
    }

    /// Last cycle of the current phase: scan position `(H+1, W+1)` in Ingest, `scan_c == 2` in Drain.
    pub fn scan_last(&self, cmd: SgCmd, p: &HwParams) -> bool {
        match cmd {
            SgCmd::Ingest => self.scan_r as usize == p.height + 1 && self.scan_c as usize == p.width + 1,
            SgCmd::Drain => self.scan_c == 2,
            SgCmd::Hold | SgCmd::Start => false,
        }
    }

    /// Next registers and memory writes; `pixel` is the pixel port (0 unless `pix_ready`).
    pub fn next(&self, cmd: SgCmd, pixel: u8, p: &HwParams) -> SgNext {
        let mut n = SgNext {
            scan_r: self.scan_r,
            scan_c: self.scan_c,
            window: self.window,
            v1: false,
            i1: self.i1,
            v2: self.v1,
            i2: self.i2,
            s_reg: self.s_reg,
            v3: self.v2,
            i3: self.i3,
            class_reg: self.class_reg,
            head_silent: self.head_silent,
            clear: false,
            lb_write: None,
            insert: None,
        };
        match cmd {
            SgCmd::Hold => return SgNext { v2: self.v2, v3: self.v3, v1: self.v1, ..n },
            SgCmd::Start => {
                return SgNext { scan_r: 0, scan_c: 0, clear: true, head_silent: p.nil, v1: self.v1, v2: self.v2, v3: self.v3, ..n }
            }
            SgCmd::Ingest => {
                let (r, c) = (self.scan_r, self.scan_c);
                // Column rows r-4..=r: four from the line buffer (rows above the image read 0).
                let mut col = [0u8; 5];
                for k in 0..4 {
                    if r + k >= 4 {
                        col[k as usize] = self.lb_q[k as usize];
                    }
                }
                col[4] = pixel;
                n.lb_write = Some((c, [col[1], col[2], col[3], col[4]]));
                for (row, &px) in n.window.iter_mut().zip(col.iter()) {
                    if c == 0 {
                        *row = [0, 0, 0, 0, px];
                    } else {
                        *row = [row[1], row[2], row[3], row[4], px];
                    }
                }
                if r >= 2 && c >= 2 {
                    n.v1 = true;
                    n.i1 = (r - 2) * p.width as u32 + (c - 2);
                }
                if c as usize == p.width + 1 {
                    n.scan_c = 0;
                    n.scan_r = r + 1;
                } else {
                    n.scan_c = c + 1;
                }
            }
            SgCmd::Drain => {
                if self.scan_c < 2 {
                    n.scan_c = self.scan_c + 1;
                }
            }
        }
        // Stages 2 and 3 and the list insertion run in every Ingest and Drain cycle.
        if self.v1 {
            n.s_reg = rf(&self.window);
            n.i2 = self.i1;
            debug_assert!(n.s_reg.unsigned_abs() < 1 << (S_REG_BITS - 1));
        }
        if self.v2 {
            n.class_reg = p.class_of(self.s_reg);
            n.i3 = self.i2;
        }
        if self.v3 {
            if self.class_reg as usize == p.nc {
                n.head_silent = self.i3;
            }
            n.insert = Some((self.i3, self.class_reg));
        }
        n
    }

    /// next_mem's read port at the edge (the address weight_mem is read with). next_mem is
    /// written only in Ingest and Drain and read only after them, so the order within the edge
    /// does not matter.
    pub fn read_next(&mut self, addr: u32) {
        self.next_q = self.next_mem[addr as usize];
    }

    /// The clock edge of the scan, the pipeline and the lists.
    pub fn commit(&mut self, n: SgNext, p: &HwParams) {
        // The line buffer is read one cycle ahead, at the next scan column.
        self.lb_q = self.line_buf[n.scan_c as usize];
        if let Some((c, word)) = n.lb_write {
            self.line_buf[c as usize] = word;
        }
        if let Some((i, class)) = n.insert {
            if class as usize == p.nc {
                self.next_mem[i as usize] = self.head_silent;
            } else {
                self.next_mem[i as usize] = self.head[class as usize];
                self.head[class as usize] = i;
                self.count[class as usize] += 1;
            }
        }
        if n.clear {
            self.head.fill(p.nil);
            self.count.fill(0);
        }
        self.scan_r = n.scan_r;
        self.scan_c = n.scan_c;
        self.window = n.window;
        self.v1 = n.v1;
        self.i1 = n.i1;
        self.v2 = n.v2;
        self.i2 = n.i2;
        self.s_reg = n.s_reg;
        self.v3 = n.v3;
        self.i3 = n.i3;
        self.class_reg = n.class_reg;
        self.head_silent = n.head_silent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;
    use snn_core::spike_gen::{encode, PeriodTable};

    /// Drives the unit alone through Start, Ingest and Drain (a stub control), returning the
    /// number of Ingest + Drain cycles.
    fn ingest(sg: &mut SpikeGen, pixels: &[u8], p: &HwParams) -> u64 {
        let n = sg.next(SgCmd::Start, 0, p);
        sg.commit(n, p);
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
            let n = sg.next(cmd, pixel, p);
            sg.commit(n, p);
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
        for (h, w, seed) in [(16usize, 16usize, 1u64), (5, 7, 2), (1, 1, 3), (28, 28, 4), (3, 12, 5)] {
            let cfg = SnnConfig { height: h, width: w, t_steps: 150, ..SnnConfig::default() };
            let p = HwParams::new(&cfg).unwrap();
            let mut x = seed;
            let pixels: Vec<u8> = (0..h * w)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let v = (x >> 56) as u8;
                    if v < 128 { 0 } else { v }
                })
                .collect();
            let mut sg = SpikeGen::new(&p);
            // Twice: the second image must not see anything of the first.
            for _ in 0..2 {
                assert_eq!(ingest(&mut sg, &pixels, &p), (h as u64 + 2) * (w as u64 + 2) + 3);
                let enc = encode(&cfg, &PeriodTable::new(&cfg), &pixels, h, w);
                for c in 0..p.nc {
                    let mut got = walk(&sg, sg.head[c], &p);
                    got.sort_unstable();
                    let want: Vec<u32> =
                        (0..p.m as u32).filter(|&i| enc.periods[i as usize] == Some(p.lo + c as u32)).collect();
                    assert_eq!(got, want, "{h}x{w} class {c}");
                    assert_eq!(sg.count[c] as usize, want.len());
                }
                let mut silent = walk(&sg, sg.head_silent, &p);
                silent.sort_unstable();
                let want: Vec<u32> = (0..p.m as u32).filter(|&i| !enc.ever_spikes(i as usize)).collect();
                assert_eq!(silent, want, "{h}x{w} silent");
            }
        }
    }

    #[test]
    fn rf_of_a_centred_pixel_is_the_kernel_centre() {
        let mut w = [[0u8; 5]; 5];
        w[2][2] = 255;
        assert_eq!(rf(&w), 8 * 255);
        assert_eq!(rf(&[[255; 5]; 5]), 255 * (36 - 24));
    }
}
