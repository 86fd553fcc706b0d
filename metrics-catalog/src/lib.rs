//! The metric sets of five real systems, declared with the derive, and generators built on them.
#![deny(missing_docs)]
