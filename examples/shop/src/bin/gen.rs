//! Generates and checks `docs/` from the declarations. Run it from `examples/shop`, or from the
//! repository root with `--root examples/shop`:
//!
//! ```sh
//! cargo run -p shop-example --bin gen -- generate --root examples/shop
//! cargo run -p shop-example --bin gen -- check-rules
//! cargo run -p shop-example --bin gen -- diff examples/shop/schema/v0.1.0.json
//! ```

fn main() {
    promdecl_gen::cli::main(shop_example::project())
}
