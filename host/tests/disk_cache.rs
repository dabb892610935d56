//! The compiled-module cache on disk: a second runtime (a second process) loads what the
//! first compiled; truncated, corrupted, wrong-version, renamed and forged entries are
//! detected, deleted and recompiled; writers racing on one directory never leave a bad
//! entry; the directory stays under its size bound.
use ee_host::runtime::disk_cache::{DiskCache, DiskStats};
use ee_host::runtime::{EngineKind, Runtime};
use ee_sdk::SpawnStatus;
use std::path::Path;
use std::sync::Arc;

/// A child module returning its input followed by `tag` (distinct tags: distinct code).
fn module(tag: u8) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
  (import "env" "block_data_size" (func $size (result i32)))
  (import "env" "block_data_copy" (func $copy (param i32 i32 i32)))
  (import "env" "set_return_data" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "main")
    (local $n i32)
    (local.set $n (call $size))
    (call $copy (i32.const 0) (i32.const 0) (local.get $n))
    (i32.store8 (local.get $n) (i32.const {tag}))
    (call $ret (i32.const 0) (i32.add (local.get $n) (i32.const 1)))))"#
    ))
    .unwrap()
}

fn runtime(engine: EngineKind, dir: &Path) -> Runtime {
    let cache = DiskCache::open(dir, 64 << 20).unwrap();
    Runtime::new(engine, Arc::new(Default::default()), Default::default()).with_disk_cache(Arc::new(cache))
}

fn run(rt: &Runtime, tag: u8) -> Result<Vec<u8>, SpawnStatus> {
    rt.run_child(&module(tag), b"in", 1_000_000)
}

fn stats(rt: &Runtime) -> DiskStats {
    rt.disk_cache().unwrap().stats()
}

/// The entry files in `dir`.
fn entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "module"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_second_runtime_loads_what_the_first_compiled() {
    for &engine in EngineKind::all() {
        let dir = tempfile::tempdir().unwrap();
        let first = runtime(engine, dir.path());
        assert_eq!(run(&first, 7), Ok(b"in\x07".to_vec()));
        assert_eq!(stats(&first), DiskStats { misses: 1, written: 1, ..Default::default() });
        let (loaded, _) = first.load(&module(7), ee_host::abi::Role::Child).unwrap();
        assert!(!loaded.from_disk);

        let second = runtime(engine, dir.path());
        let started = std::time::Instant::now();
        assert_eq!(run(&second, 7), Ok(b"in\x07".to_vec()), "{engine:?}");
        println!("{engine:?}: loaded from disk and ran in {:?}", started.elapsed());
        assert_eq!(stats(&second), DiskStats { hits: 1, ..Default::default() });
        // Another module is compiled and added.
        assert_eq!(run(&second, 8), Ok(b"in\x08".to_vec()));
        assert_eq!(entries(dir.path()).len(), 2);
    }
}

#[test]
fn bad_entries_are_detected_deleted_and_recompiled() {
    let engine = EngineKind::Singlepass;
    let dir = tempfile::tempdir().unwrap();
    run(&runtime(engine, dir.path()), 1).unwrap();
    run(&runtime(engine, dir.path()), 2).unwrap();
    let files = entries(dir.path());
    let (entry, other) = (&files[0], &files[1]);
    let good = std::fs::read(entry).unwrap();
    type Spoil = fn(&mut Vec<u8>);
    let cases: [(&str, Spoil); 5] = [
        ("truncated", |b| b.truncate(b.len() / 2)),
        ("a flipped byte in the module", |b| {
            let i = b.len() - 10;
            b[i] ^= 1
        }),
        ("another version", |b| b[8] ^= 0xff),
        ("the magic", |b| b[0] = b'X'),
        ("empty", |b| b.clear()),
    ];
    for (what, spoil) in cases {
        let mut bytes = good.clone();
        spoil(&mut bytes);
        std::fs::write(entry, &bytes).unwrap();
        let rt = runtime(engine, dir.path());
        // Whichever of the two modules the file belonged to, both still run right.
        assert_eq!(run(&rt, 1), Ok(b"in\x01".to_vec()), "{what}");
        assert_eq!(run(&rt, 2), Ok(b"in\x02".to_vec()), "{what}");
        let s = stats(&rt);
        assert_eq!((s.rejected, s.hits, s.written), (1, 1, 1), "{what}: {s:?}");
        assert_eq!(std::fs::read(entry).unwrap(), good, "{what}: recompiled and rewritten");
    }
    // One module's entry under the other's name: its key does not match.
    std::fs::copy(other, entry).unwrap();
    let rt = runtime(engine, dir.path());
    assert_eq!((run(&rt, 1), run(&rt, 2)), (Ok(b"in\x01".to_vec()), Ok(b"in\x02".to_vec())));
    assert_eq!(stats(&rt).rejected, 1, "a renamed entry");
    // Forged without the secret: a new secret makes every entry fail its tag.
    std::fs::write(dir.path().join("secret"), [9u8; 32]).unwrap();
    let rt = runtime(engine, dir.path());
    assert_eq!((run(&rt, 1), run(&rt, 2)), (Ok(b"in\x01".to_vec()), Ok(b"in\x02".to_vec())));
    assert_eq!(stats(&rt).rejected, 2, "entries not tagged with this secret");
}

#[test]
fn writers_racing_on_one_directory_leave_only_good_entries() {
    let dir = tempfile::tempdir().unwrap();
    let engine = EngineKind::Singlepass;
    let tags: Vec<u8> = (10..26).collect();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (dir, tags) = (dir.path(), &tags);
            s.spawn(move || {
                // Separate caches (as separate processes have), different orders.
                let rt = runtime(engine, dir);
                let mut order = tags.clone();
                order.rotate_left(t * 3);
                for tag in order {
                    assert_eq!(run(&rt, tag), Ok(vec![b'i', b'n', tag]));
                }
            });
        }
    });
    assert_eq!(entries(dir.path()).len(), tags.len());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let rt = runtime(engine, dir.path());
    for &tag in &tags {
        assert_eq!(run(&rt, tag), Ok(vec![b'i', b'n', tag]));
    }
    assert_eq!(stats(&rt), DiskStats { hits: tags.len() as u64, ..Default::default() });
}

#[test]
fn the_directory_stays_under_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    run(&runtime(EngineKind::Singlepass, dir.path()), 1).unwrap();
    let one = std::fs::metadata(&entries(dir.path())[0]).unwrap().len();
    // Room for about three entries.
    let cache = Arc::new(DiskCache::open(dir.path(), one * 3 + one / 2).unwrap());
    let rt = Runtime::new(EngineKind::Singlepass, Arc::new(Default::default()), Default::default())
        .with_disk_cache(cache.clone());
    for tag in 2..10 {
        run(&rt, tag).unwrap();
        let total: u64 = entries(dir.path()).iter().map(|p| std::fs::metadata(p).unwrap().len()).sum();
        assert!(total <= one * 3 + one / 2, "{total} bytes after module {tag}");
    }
    assert!(cache.stats().evicted >= 5, "{:?}", cache.stats());
}
