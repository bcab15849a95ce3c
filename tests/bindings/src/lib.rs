//! The bundled contracts' bindings, and those of the backend's focused
//! test sets, compiled under `deny(warnings)`: a warning in generated code
//! fails the build.

#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/evc_contracts.rs"));

/// Contract text written to break out of comments and strings; it must
/// compile and keep its text as data.
pub mod hostile {
    include!(concat!(env!("OUT_DIR"), "/hostile.rs"));
}

/// Tagged, untagged and `anyOf` unions.
pub mod unions {
    include!(concat!(env!("OUT_DIR"), "/unions.rs"));
}

/// Required, optional, nullable and defaulted properties.
pub mod optionality {
    include!(concat!(env!("OUT_DIR"), "/optionality.rs"));
}

/// A recursive type.
pub mod recursion {
    include!(concat!(env!("OUT_DIR"), "/recursion.rs"));
}

/// Schemas that reference each other by `$id` URL.
pub mod published {
    include!(concat!(env!("OUT_DIR"), "/published.rs"));
}

/// `allOf` merged into one struct.
pub mod merging {
    include!(concat!(env!("OUT_DIR"), "/merging.rs"));
}

/// Maps, extra properties and a payload that is not an object.
pub mod maps {
    include!(concat!(env!("OUT_DIR"), "/maps.rs"));
}

/// Tuples: `prefixItems` with `items` (a schema or `false`), and the
/// draft-07 `items` list with `additionalItems`.
pub mod tuples {
    include!(concat!(env!("OUT_DIR"), "/tuples.rs"));
}

pub mod applicators {
    include!(concat!(env!("OUT_DIR"), "/applicators.rs"));
}

/// Property counts and dependencies on structs and maps.
pub mod objects {
    include!(concat!(env!("OUT_DIR"), "/objects.rs"));
}

/// One contract at 1.0.0, and the same contract after a minor bump that
/// adds an optional property.
pub mod minor_1_0 {
    include!(concat!(env!("OUT_DIR"), "/minor_1_0.rs"));
}

/// See [`minor_1_0`].
pub mod minor_1_1 {
    include!(concat!(env!("OUT_DIR"), "/minor_1_1.rs"));
}

/// Upcasts where the typed and the JSON form of the steps could part.
pub mod semantics {
    include!(concat!(env!("OUT_DIR"), "/semantics.rs"));
}

/// Upcasts through every kind of step, one over JSON and one custom.
pub mod upcasts {
    include!(concat!(env!("OUT_DIR"), "/upcasts.rs"));

    /// `BinRelabeled` 1 to 2 is `custom: true`: without this impl the crate
    /// does not compile.
    impl evc_runtime::Upcast<BinRelabeledV1> for BinRelabeledV2 {
        fn upcast(old: BinRelabeledV1) -> Result<Self, evc_runtime::UpcastError> {
            let (aisle, bin) = old
                .label
                .split_once('/')
                .ok_or_else(|| evc_runtime::UpcastError::new("/label", "no `/` in the label"))?;
            Ok(BinRelabeledV2 {
                aisle: aisle.to_owned(),
                bin: bin.to_owned(),
            })
        }
    }
}

/// String formats the generated code checks.
pub mod formats {
    include!(concat!(env!("OUT_DIR"), "/formats.rs"));
}

/// What a hand-written consumer decodes an `OrderCreated` message into: the
/// envelope's attributes and the typed payload, with serde and nothing else
/// (no CloudEvents rules, no payload constraints, no routing). The
/// baseline of the decode and transport benches.
#[derive(evc_runtime::serde::Deserialize)]
#[serde(crate = "evc_runtime::serde")]
pub struct BareMessage {
    pub specversion: String,
    pub id: String,
    pub source: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub time: Option<String>,
    pub datacontenttype: Option<String>,
    pub dataversion: Option<String>,
    pub data: OrderCreatedV2,
}
