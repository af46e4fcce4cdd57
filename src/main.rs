//! The `yuqing` binary.
fn main() {}
