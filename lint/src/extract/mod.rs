//! Where SQL comes from: `.sql` files and, with positions mapped back, Rust sources.

#[cfg(feature = "rust")]
pub mod consts;
#[cfg(feature = "rust")]
pub mod fast;
pub mod literal;
pub mod migration;
pub mod normalize;
pub mod parse;
pub mod plpgsql;
#[cfg(feature = "rust")]
pub mod prefilter;
#[cfg(feature = "rust")]
pub mod rust;
pub mod source;
pub mod split;

/// A table of the bytes in `bytes`, for scanning loops that skip the others.
pub(crate) const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut k = 0;
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    table
}
