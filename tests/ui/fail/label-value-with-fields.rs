use promdecl::*;

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
    Failed(u8),
}

fn main() {}
