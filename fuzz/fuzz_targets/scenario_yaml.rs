//! Scenario, Scout YAML and cost-table parsing, and the runs they drive. The first byte
//! picks the input: a JSON scenario (`Scenario::from_json`, `slots`, `genesis`, `build`,
//! then — when small — `run_scenario` on the real meta-EE and transfer EE with the
//! scenario's own limits), ewasm Scout YAML vectors (`Vectors::load` from a file whose
//! scripts resolve to the built Scout EEs and a library, then — when small —
//! `scout::run`), or a cost table (`CostTable::from_json`). Every malformed input is a
//! typed error; nothing panics.
#![no_main]
use ee_host::exec::ExecConfig;
use ee_host::scenario::{Scenario, ScenarioError, chain_for, run_scenario};
use ee_host::scout::{Vectors, run as run_vectors};
use ee_host::{CostTable, EngineKind, Limits, Role, Runtime};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

struct Setup {
    dir: PathBuf,
    meta: Arc<[u8]>,
    transfer: Arc<[u8]>,
    /// The built EEs by file name (`transfer_ee.wasm`, …).
    built: HashMap<String, Arc<[u8]>>,
    /// Runtimes by the limits they were built with (few: cleared past 8).
    runtimes: Mutex<HashMap<String, Arc<Runtime>>>,
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let dir = ee_fuzz::work_dir("scenario_yaml");
    for (from, to) in [("scout_hello", "hello.wasm"), ("scout_hasher", "hasher.wasm")] {
        std::fs::write(dir.join(to), ee_fuzz::ee(from)).expect("write a Scout EE");
    }
    let lib = ee_fuzz::wat_seeds().into_iter().find(|s| s.0 == "library-add").expect("library seed").2;
    std::fs::write(dir.join("lib.wasm"), lib).expect("write the library");
    let built = ee_fuzz::all_ees().into_iter().map(|(n, c)| (format!("{n}.wasm"), Arc::from(c))).collect();
    Setup {
        dir,
        meta: ee_fuzz::ee("meta_ee"),
        transfer: ee_fuzz::ee("transfer_ee"),
        built,
        runtimes: Mutex::default(),
    }
});

fn runtime(limits: &Limits) -> Arc<Runtime> {
    let key = serde_json::to_string(limits).expect("limits serialize");
    let mut map = SETUP.runtimes.lock().expect("lock");
    if map.len() > 8 {
        map.clear();
    }
    map.entry(key)
        .or_insert_with(|| {
            Arc::new(Runtime::new(EngineKind::Singlepass, Arc::new(CostTable::default()), limits.clone()))
        })
        .clone()
}

fn scenario(text: &str) {
    let Ok(s) = Scenario::from_json(text) else { return };
    let slots = s.slots();
    // An EE's code: the built EE its `wasm` file names (by file name only: no other
    // file is read), else the meta-EE or the transfer EE by role.
    let genesis = s.genesis(|spec| {
        let built = spec.wasm.as_ref().and_then(|w| w.file_name()).and_then(|n| SETUP.built.get(n.to_str()?));
        Ok::<_, ScenarioError>(match built {
            Some(code) => code.clone(),
            None if spec.role == Role::Meta => SETUP.meta.clone(),
            None => SETUP.transfer.clone(),
        })
    });
    let (Ok(slots), Ok(genesis)) = (slots, genesis) else { return };
    let Ok(world) = genesis.build() else { return };
    let txs: usize = slots.iter().flatten().map(|(_, t)| t.len()).sum();
    if s.shards > 8 || slots.len() > 8 || txs > 16 {
        return;
    }
    let config = ExecConfig::default();
    let limits = s.limits.clone().unwrap_or_default();
    if limits.tx_gas > 100_000_000 || limits.meta_gas_base > 100_000_000 || limits.memory_pages > 1024 {
        // The user's own budget: a scenario may run as long as it asks to.
        return;
    }
    let rt = runtime(&limits);
    let mut chain = chain_for(&s, world, &*rt, config);
    let _ = run_scenario(&s, &mut chain, "singlepass");
}

fn scout(text: &[u8]) {
    let path = SETUP.dir.join("vectors.yaml");
    std::fs::write(&path, text).expect("write the vectors");
    let Ok(v) = Vectors::load(&path) else { return };
    let data: usize = v.blocks.iter().map(|(_, d)| d.len()).sum();
    if v.blocks.len() > 16 || data > 65_536 {
        return;
    }
    let config = ExecConfig::default();
    if v.libraries.is_empty() {
        let _ = run_vectors(&v, &runtime(&config.limits), &config);
    } else if let Ok(rt) = Runtime::new(EngineKind::Singlepass, config.costs.clone(), config.limits.clone())
        .with_libraries(v.libraries.clone())
    {
        let _ = run_vectors(&v, &rt, &config);
    }
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let root = ee_fuzz::workspace();
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(root.join("scenarios"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    for p in names.iter().filter(|p| p.extension().is_some_and(|x| x == "json")) {
        let text = std::fs::read(p).expect("read a scenario");
        out.push((
            format!("scenario-{}", p.file_stem().unwrap().to_string_lossy()),
            ee_fuzz::tagged(0, &text),
        ));
    }
    let mut yamls: Vec<_> = std::fs::read_dir(root.join("scenarios/scout"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    yamls.sort();
    for p in yamls {
        let text = std::fs::read_to_string(&p)
            .expect("read vectors")
            .replace("../../target/ees/scout_hello.wasm", "hello.wasm")
            .replace("../../target/ees/scout_hasher.wasm", "hasher.wasm");
        out.push((
            format!("scout-{}", p.file_stem().unwrap().to_string_lossy()),
            ee_fuzz::tagged(1, text.as_bytes()),
        ));
    }
    let with_lib = "beacon_state:\n  execution_scripts: [hello.wasm]\n  libraries: [{ name: lib, file: lib.wasm }]\nshard_pre_state:\n  exec_env_states: [\"0000000000000000000000000000000000000000000000000000000000000000\"]\nshard_blocks:\n  - { env: 0, data: \"\" }\nshard_post_state:\n  exec_env_states: [\"0000000000000000000000000000000000000000000000000000000000000000\"]\n";
    out.push(("scout-library".into(), ee_fuzz::tagged(1, with_lib.as_bytes())));
    out.push(("costs-default".into(), ee_fuzz::tagged(2, CostTable::default().to_json().as_bytes())));
    out
}

fuzz_target!(init: ee_fuzz::seed_mode(seeds), |data: &[u8]| {
    let Some((&tag, rest)) = data.split_first() else { return };
    match tag % 3 {
        0 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                scenario(text);
            }
        }
        1 => scout(rest),
        _ => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = CostTable::from_json(text);
            }
        }
    }
});
