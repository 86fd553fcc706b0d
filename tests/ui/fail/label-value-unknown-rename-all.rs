use metrics_core::*;

#[derive(Clone, Copy, LabelValue)]
#[label(rename_all = "camelCase")]
enum Status {
    Ok,
    Failed,
}

fn main() {}
