use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Build
    #[metric(info, labels = [version], idle_timeout = "10m")]
    build_info: Info,
}

fn main() {}
