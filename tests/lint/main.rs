//! The `tenant-lint` suite: rule fixtures, the command line end to end, adoption in CI
//! (formats, baselines, suppressions), bad input.

mod adoption;
mod audit;
mod bad_input;
mod cli;
mod declared;
mod docs;
mod faces;
mod fidelity;
mod fixtures;
mod scale;
