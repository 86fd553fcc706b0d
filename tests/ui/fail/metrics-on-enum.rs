use metrics_core::*;

#[derive(Metrics)]
enum M {
    A,
}

fn main() {}
