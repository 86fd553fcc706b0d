//! The catalog's generator: `generate`, `check`, `export`, `check-rules` and `diff` over the five
//! systems (see `promdecl_gen::cli`). Run from the repository root, where `docs/` is.

fn main() {
    promdecl_gen::cli::main(promdecl_catalog::project())
}
