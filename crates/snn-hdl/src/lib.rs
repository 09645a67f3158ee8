//! rust-hdl description of the SNN accelerator and its Verilog generator.
//!
//! Building blocks that rust-hdl lacks or gets wrong in Verilog: [`bram::Bram`] (block RAM with
//! `$readmemh`), [`mult::UMul`] (multiplier of any width), and [`verilog`]: Verilog generation
//! made width-exact and lint-clean, plus runners for Verilator, Icarus and Yosys.

pub mod bram;
pub mod class_lists;
pub mod cmp;
pub mod control;
pub mod core;
pub mod counters;
pub mod decide;
pub mod generate;
pub mod lanes;
pub mod lowest;
pub mod mult;
pub mod neuron;
pub mod norm;
pub mod pending;
pub mod prelude;
pub mod presets;
pub mod rf;
pub mod row_sums;
pub mod spike_gen;
pub mod split;
pub mod stdp;
pub mod theta;
pub mod verilog;
pub mod walk;
pub mod weight_mem;
pub mod wta;
