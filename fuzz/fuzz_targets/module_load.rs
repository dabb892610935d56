//! Module loading: arbitrary bytes through the gatekeeper (`gatekeeper::check_kind`) as an
//! EE, a meta-EE, a child or a library (the first byte picks which), then — when it
//! accepts them — instrumented (`runtime::instrument`: metering, stack limit) and compiled
//! by singlepass and by cranelift (`Runtime::validate` / `with_libraries`). Nothing panics; every refusal is a
//! typed `LoadError` with at least one problem; a module the gatekeeper accepts compiles
//! on both engines (they agree).
#![no_main]
use ee_host::runtime::gatekeeper::{self, ModuleKind};
use ee_host::{CostTable, EngineKind, Limits, Role, Runtime};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, LazyLock};

static RUNTIMES: LazyLock<[Runtime; 2]> = LazyLock::new(|| {
    let costs = Arc::new(CostTable::default());
    [EngineKind::Singlepass, EngineKind::Cranelift].map(|e| Runtime::new(e, costs.clone(), Limits::default()))
});

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, tag, wasm) in ee_fuzz::wat_seeds() {
        out.push((format!("wat-{name}"), ee_fuzz::tagged(tag, &wasm)));
    }
    for (name, code) in ee_fuzz::all_ees() {
        let tag = match name.as_str() {
            "meta_ee" => 1,
            "counter_contract" => 2,
            _ => 0,
        };
        out.push((format!("ee-{name}"), ee_fuzz::tagged(tag, &code)));
    }
    out
}

fuzz_target!(init: ee_fuzz::seed_mode(seeds), |data: &[u8]| {
    let Some((&tag, code)) = data.split_first() else { return };
    let limits = Limits::default();
    let role = match tag % 4 {
        0 => Some(Role::Ee),
        1 => Some(Role::Meta),
        2 => Some(Role::Child),
        _ => None,
    };
    let kind = match role {
        Some(r) => ModuleKind::Ee(r, &[]),
        None => ModuleKind::Library,
    };
    if let Err(e) = gatekeeper::check_kind(code, kind, &limits) {
        assert!(!e.0.is_empty(), "a refusal names no problem");
        let _ = e.to_string();
        return;
    }
    let compiled: Vec<Result<(), String>> = RUNTIMES
        .iter()
        .map(|rt| match role {
            Some(r) => rt.validate(code, r).map_err(|e| e.to_string()),
            None => Runtime::new(rt.engine(), rt.costs().clone(), limits.clone())
                .with_libraries(vec![("lib".into(), Arc::from(code))])
                .map(|_| ())
                .map_err(|e| e.to_string()),
        })
        .collect();
    assert_eq!(
        compiled[0].is_ok(),
        compiled[1].is_ok(),
        "the engines disagree on a module the gatekeeper accepted: singlepass {:?}, cranelift {:?}",
        compiled[0],
        compiled[1]
    );
    if let Err(e) = &compiled[0] {
        panic!("the gatekeeper accepted a module neither engine compiles: {e}");
    }
});
