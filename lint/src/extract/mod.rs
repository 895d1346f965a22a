//! Where SQL comes from: `.sql` files and, with positions mapped back, Rust sources.

#[cfg(feature = "rust")]
pub mod fast;
pub mod literal;
pub mod parse;
#[cfg(feature = "rust")]
pub mod prefilter;
#[cfg(feature = "rust")]
pub mod rust;
pub mod source;
pub mod split;
