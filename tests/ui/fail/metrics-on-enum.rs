use promdecl::*;

#[derive(Metrics)]
enum M {
    A,
}

fn main() {}
