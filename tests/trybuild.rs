//! `contracts!` as users meet it: the bundled contracts compile under
//! `deny(warnings)`, and broken contracts become compile errors that name the
//! rule and quote `--> file:line:column`, the source line and the help; when
//! only rules users may lower fail, the bindings are generated beside them.

#[test]
fn contracts_macro() {
    let cases = trybuild::TestCases::new();
    cases.pass("trybuild/pass/*.rs");
    cases.compile_fail("trybuild/fail/*.rs");
}
