pub mod data;
pub mod demo;
pub mod encode;
pub mod eval;
pub mod plot;
pub mod reconstruct;
pub mod simulate;
pub mod train;
