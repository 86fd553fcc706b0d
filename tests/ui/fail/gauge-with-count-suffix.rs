use promdecl::*;

#[derive(Metrics)]
#[metrics(prefix = "raft")]
struct M {
    /// Active followers
    #[metric(gauge, name = "followers_count")]
    followers: IntGauge,
}

fn main() {}
