use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Build
    #[metric(info, labels = [version])]
    build: Info,
}

fn main() {}
