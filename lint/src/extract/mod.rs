//! Where SQL comes from: `.sql` files and, with positions mapped back, Rust sources.

pub mod parse;
pub mod source;
pub mod split;
