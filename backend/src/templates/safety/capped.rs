//! A writer that stops rendering at MAX_OUTPUT_BYTES.

#[allow(unused_imports)]
use super::*;

/// A `fmt::Write` target that fails once more than its limit was written.
pub struct Capped {
    pub out: String,
    limit: usize,
}

impl Capped {
    /// An empty output that takes at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self { out: String::new(), limit }
    }
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + buf.len() > self.limit {
            return Err(std::io::Error::other(format!("the template renders to more than {} KiB", self.limit / 1024)));
        }
        self.out.push_str(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
