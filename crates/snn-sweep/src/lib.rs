//! Parameter sweeps (`snn sweep`): which configuration gives the accuracy you need at the lowest
//! cost? A sweep file names a base configuration and the keys to vary; every point is trained and
//! scored with the golden model, counted with the cycle model and, on request, synthesized, and
//! lands as one JSON line in `results.jsonl`. Sweeps resume, split into shards for batch
//! schedulers, merge, and turn into a report with figures.
//!
//! - [`spec`]: the sweep file; [`axis`]: the values of one key; [`points`]: the points and their
//!   validated configurations;
//! - [`measure`] and [`synth`]: what one point measures; [`record`]: the line it becomes;
//! - [`run`]: the parallel, resumable, sharded run; [`results`]: the output folder and merging;
//! - [`report`]: CSV, figures and Markdown.

pub mod axis;
pub mod measure;
pub mod points;
pub mod record;
pub mod report;
pub mod results;
pub mod run;
pub mod spec;
pub mod synth;

pub use results::merge;
pub use run::{run, RunOptions, Shard, Summary};
pub use spec::Spec;
