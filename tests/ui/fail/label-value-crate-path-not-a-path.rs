use promdecl::LabelValue;

#[derive(Clone, Copy, LabelValue)]
#[label(crate = "corp::promdecl<T>")]
enum Dir {
    Up,
    Down,
}

fn main() {}
