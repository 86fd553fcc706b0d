//! Compile-time checks: every mistake in `ui/fail` must be rejected with the committed message,
//! and everything in `ui/pass` must build and run.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
    t.pass("ui/pass/*.rs");
}
