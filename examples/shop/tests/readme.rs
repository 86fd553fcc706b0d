//! The README's excerpts of this example are the example's code: each fenced block after a
//! `<!-- shop-example: PATH -->` marker appears in `PATH`, its parts (split at `// ...` lines)
//! in order.

use std::path::Path;

const MARKER: &str = "<!-- shop-example: ";

/// `(path, block)` for each marked block, the block's indentation removed.
fn excerpts(readme: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = readme;
    while let Some(at) = rest.find(MARKER) {
        rest = &rest[at + MARKER.len()..];
        let (path, after) = rest.split_once(" -->").expect("a closed marker");
        let mut lines = after
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("```"));
        let fence = lines.next().expect("a fenced block after the marker");
        let indent = fence.len() - fence.trim_start().len();
        let block: Vec<&str> = lines
            .take_while(|l| l.trim() != "```")
            .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
            .collect();
        out.push((path.to_string(), block.join("\n")));
    }
    out
}

#[test]
fn readme_excerpts_are_the_example_code() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(crate_dir.join("../../README.md")).expect("README.md");
    let excerpts = excerpts(&readme);
    assert!(excerpts.len() >= 3, "{excerpts:?}");
    for (path, block) in excerpts {
        let source = std::fs::read_to_string(crate_dir.join(&path))
            .unwrap_or_else(|e| panic!("README excerpt of {path}: {e}"));
        let mut from = 0;
        for part in block.split("\n// ...\n") {
            let part = part.trim_matches('\n');
            match source[from..].find(part) {
                Some(at) => from += at + part.len(),
                None => panic!("README excerpt of {path} is not in it (in order):\n{part}"),
            }
        }
    }
}
