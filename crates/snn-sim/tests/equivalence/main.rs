//! Equivalence of the cycle model (`dut`) with the golden fixed-point model (`gold`): identical
//! spikes and potentials after every step, winner, inhibit step, threshold, final potentials,
//! weights after every image, and the cycle count the doc predicts; and the fast phases of
//! `run_image` against plain stepping (`fast`).

mod common;
mod fast;
mod lanes;
mod layers;
mod mnist;
mod sweep;
mod synthetic;
