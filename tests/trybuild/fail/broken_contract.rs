//! A contract error is a compile error naming file:line:column and the rule.
mod contracts {
    evc_macros::contracts!("../../../../tests/contracts/broken");
}

fn main() {}
