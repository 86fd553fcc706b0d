//! Cross-crate tests: the trybuild ui suite and end-to-end checks against real validators.
