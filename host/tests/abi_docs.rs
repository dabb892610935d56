//! `docs/ABI.md` is generated from the ABI table; this test keeps the committed file true.
//! Regenerate with `EE_UPDATE_DOCS=1 cargo test -p ee-host --test abi_docs` (or
//! `ee abi --markdown > docs/ABI.md`).
use ee_host::abi::docs;
use ee_host::gas::CostTable;
use std::path::PathBuf;

#[test]
fn abi_reference_matches_the_table() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/ABI.md");
    let generated = docs::markdown(&CostTable::default());
    if std::env::var_os("EE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/ABI.md is out of date with ee-sdk/src/abi.rs; regenerate it with \
         `EE_UPDATE_DOCS=1 cargo test -p ee-host --test abi_docs`"
    );
}
