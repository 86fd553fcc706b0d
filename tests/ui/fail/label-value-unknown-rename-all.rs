use promdecl::*;

#[derive(Clone, Copy, LabelValue)]
#[label(rename_all = "camelCase")]
enum Status {
    Ok,
    Failed,
}

fn main() {}
