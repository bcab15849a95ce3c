// The `upcasts` set's `BinRelabeled` 1 to 2 is `custom: true`: the user
// writes the conversion, included into each route's `upcasts` module.
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
