//! `contracts!` as users meet it: the bundled contracts compile under
//! `deny(warnings)`, and broken contracts become compile errors that quote
//! `file:line:column: RULE: message`.

#[test]
fn contracts_macro() {
    let cases = trybuild::TestCases::new();
    cases.pass("trybuild/pass/*.rs");
    cases.compile_fail("trybuild/fail/*.rs");
}
