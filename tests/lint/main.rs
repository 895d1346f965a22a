//! The `tenant-lint` suite: rule fixtures, the command line end to end, bad input.

mod audit;
mod bad_input;
mod cli;
mod fixtures;
