//! A contracts directory that does not exist is one clear error.
mod contracts {
    evc_macros::contracts!("no/such/directory");
}

fn main() {}
