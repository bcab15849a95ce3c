//! An error of a rule users may lower (a camelCase property) quotes its line
//! and help; the bindings are still generated, so the code using them adds
//! no "cannot find type" errors of its own.
mod contracts {
    evc_macros::contracts!("../../../../tests/contracts/misnamed");
}

fn main() {
    let noted = contracts::OrderNoted::new("A-1".to_owned());
    assert_eq!(noted.order_id, "A-1");
}
