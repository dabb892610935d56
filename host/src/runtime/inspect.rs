//! What is inside a module (`ee inspect`): section sizes and the largest functions, with
//! names from the name section when it is present or from a [`NameMap`] kept beside a
//! stripped module (what `ee build` writes), demangled, and sizes summed per crate.
use serde::Serialize;
use std::collections::BTreeMap;
use wasmparser::{BinaryReaderError, KnownCustom, Name, Parser, Payload};

/// One section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Its name (`code`, `data`, `custom:name`, …).
    pub name: String,
    /// Bytes, including its header.
    pub bytes: usize,
}

/// One function body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Function {
    /// Index in the function index space.
    pub index: u32,
    /// Name from the name section, if any.
    pub name: Option<String>,
    /// Body size in bytes.
    pub bytes: usize,
}

/// A module's layout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// Module size.
    pub size: usize,
    /// Sections in file order.
    pub sections: Vec<Section>,
    /// Every defined function, largest first.
    pub functions: Vec<Function>,
}

/// Reads a module's layout (it need not pass the gatekeeper).
pub fn layout(code: &[u8]) -> Result<Layout, BinaryReaderError> {
    let mut sections = Vec::new();
    let mut functions = Vec::new();
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    let mut imported = 0u32;
    for payload in Parser::new(0).parse_all(code) {
        let payload = payload?;
        if let Payload::ImportSection(r) = &payload {
            for i in r.clone().into_imports() {
                if matches!(i?.ty, wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_)) {
                    imported += 1;
                }
            }
        }
        if let Payload::CodeSectionEntry(body) = &payload {
            functions.push(Function {
                index: imported + functions.len() as u32,
                name: None,
                bytes: {
                    let r = body.range();
                    (r.end - r.start) as usize
                },
            });
            continue;
        }
        if let Payload::CustomSection(c) = &payload
            && let KnownCustom::Name(reader) = c.as_known()
        {
            for n in reader.into_iter().flatten() {
                if let Name::Function(map) = n {
                    for naming in map.into_iter().flatten() {
                        names.insert(naming.index, naming.name.to_string());
                    }
                }
            }
        }
        if let Some((id, range)) = payload.as_section() {
            let name = match &payload {
                Payload::CustomSection(c) => format!("custom:{}", c.name()),
                _ => section_name(id).to_string(),
            };
            sections.push(Section { name, bytes: (range.end - range.start) as usize });
        }
    }
    for f in &mut functions {
        f.name = names.get(&f.index).map(|n| demangle(n));
    }
    functions.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.index.cmp(&b.index)));
    Ok(Layout { size: code.len(), sections, functions })
}

fn section_name(id: u8) -> &'static str {
    match id {
        0 => "custom",
        1 => "type",
        2 => "import",
        3 => "function",
        4 => "table",
        5 => "memory",
        6 => "global",
        7 => "export",
        8 => "start",
        9 => "element",
        10 => "code",
        11 => "data",
        12 => "datacount",
        _ => "unknown",
    }
}

/// A Rust symbol demangled without its hash (other names unchanged).
pub fn demangle(name: &str) -> String {
    // binaryen's merge-similar-functions names the shared body after one of its sources.
    match name.strip_prefix("byn$mgfn-shared$") {
        Some(inner) => format!("{:#} (merged)", rustc_demangle::demangle(inner)),
        None => format!("{:#}", rustc_demangle::demangle(name)),
    }
}

/// Function names of a module whose name section was stripped, kept beside it
/// (`<module>.names.json`): valid only for the module with that code hash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NameMap {
    /// sha256 of the module the names belong to (hex).
    pub code_hash: String,
    /// Function index → demangled name.
    pub functions: BTreeMap<u32, String>,
}

impl NameMap {
    /// The (demangled) function names in `code`'s name section.
    pub fn of(code: &[u8]) -> Result<BTreeMap<u32, String>, BinaryReaderError> {
        let mut names = BTreeMap::new();
        for payload in Parser::new(0).parse_all(code) {
            if let Payload::CustomSection(c) = payload?
                && let KnownCustom::Name(reader) = c.as_known()
            {
                for n in reader.into_iter().flatten() {
                    if let Name::Function(map) = n {
                        for naming in map.into_iter().flatten() {
                            names.insert(naming.index, demangle(naming.name));
                        }
                    }
                }
            }
        }
        Ok(names)
    }
}

fn leb(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn put_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// A section: its id, where it is (header included) and where its content is.
type SectionSpan = (u8, std::ops::Range<usize>, std::ops::Range<usize>);

/// The sections of a module.
fn sections(code: &[u8]) -> Option<Vec<SectionSpan>> {
    if code.len() < 8 || &code[..4] != b"\0asm" {
        return None;
    }
    let mut out = Vec::new();
    let mut at = 8;
    while at < code.len() {
        let start = at;
        let id = code[at];
        at += 1;
        let size = usize::try_from(leb(code, &mut at)?).ok()?;
        let end = at.checked_add(size).filter(|&e| e <= code.len())?;
        out.push((id, start..end, at..end));
        at = end;
    }
    Some(out)
}

/// `code` without its custom sections (names, producers, target features, debug info;
/// everything else byte for byte), or `None` if it is not a well-formed sequence of
/// sections.
pub fn without_custom_sections(code: &[u8]) -> Option<Vec<u8>> {
    let mut out = code.get(..8)?.to_vec();
    for (id, whole, _) in sections(code)? {
        if id != 0 {
            out.extend_from_slice(&code[whole]);
        }
    }
    Some(out)
}

/// `code` with one custom section left: a `name` section holding only the function names
/// of the original (the form older tools such as chisel's parser read; they keep it in step
/// when they remove functions). `None` if malformed.
pub fn with_function_names_only(code: &[u8]) -> Option<Vec<u8>> {
    let mut out = without_custom_sections(code)?;
    for (id, _, content) in sections(code)? {
        let body = &code[content];
        let mut at = 0;
        let Some(len) = leb(body, &mut at).and_then(|l| usize::try_from(l).ok()) else { continue };
        if id != 0 || body.get(at..at.checked_add(len)?) != Some(&b"name"[..]) {
            continue;
        }
        at += len;
        while at < body.len() {
            let sub = body[at];
            at += 1;
            let size = usize::try_from(leb(body, &mut at)?).ok()?;
            let end = at.checked_add(size).filter(|&e| e <= body.len())?;
            if sub == 1 {
                let mut payload = vec![4];
                payload.extend_from_slice(b"name");
                payload.push(1);
                put_leb(&mut payload, size as u64);
                payload.extend_from_slice(&body[at..end]);
                out.push(0);
                put_leb(&mut out, payload.len() as u64);
                out.extend_from_slice(&payload);
            }
            at = end;
        }
    }
    Some(out)
}

impl Layout {
    /// Names the functions that have none from `map`.
    pub fn apply_names(&mut self, map: &NameMap) {
        for f in &mut self.functions {
            if f.name.is_none() {
                f.name = map.functions.get(&f.index).cloned();
            }
        }
    }

    /// Code bytes per crate (from the functions' demangled names; `?` when unnamed),
    /// largest first.
    pub fn by_crate(&self) -> Vec<CrateSize> {
        let mut sums: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for f in &self.functions {
            let krate = f.name.as_deref().map_or_else(|| "?".to_string(), crate_of);
            let e = sums.entry(krate).or_default();
            e.0 += f.bytes;
            e.1 += 1;
        }
        let mut out: Vec<CrateSize> =
            sums.into_iter().map(|(name, (bytes, functions))| CrateSize { name, bytes, functions }).collect();
        out.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
        out
    }
}

/// Code attributed to one crate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CrateSize {
    /// The crate (`core`, `ee_sdk`, …; `(other)` for non-Rust names, `?` for unnamed).
    pub name: String,
    /// Function body bytes.
    pub bytes: usize,
    /// Functions.
    pub functions: usize,
}

/// The crate a demangled function name belongs to: the first path segment, looking
/// inside `<Type as Trait>` at the type; the C memory functions (unmangled) are
/// `compiler_builtins`'.
pub fn crate_of(name: &str) -> String {
    if matches!(name, "memcpy" | "memmove" | "memset" | "memcmp" | "bcmp") {
        return "compiler_builtins".to_string();
    }
    let inner = name.trim_start_matches('<').trim_start_matches('&').trim_start_matches("mut ");
    match inner.split_once("::") {
        Some((head, _)) if !head.is_empty() && head.chars().all(|c| c.is_alphanumeric() || c == '_') => {
            head.to_string()
        }
        _ => "(other)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_are_the_first_path_segment_of_the_type() {
        assert_eq!(crate_of("meta_ee::netting::apply"), "meta_ee");
        assert_eq!(crate_of("<alloc::vec::Vec<T> as core::clone::Clone>::clone"), "alloc");
        assert_eq!(crate_of("<&mut parity_scale_codec::Input as x>::read"), "parity_scale_codec");
        assert_eq!(crate_of("memcpy"), "compiler_builtins");
        assert_eq!(crate_of("__wasm_call_ctors"), "(other)");
        assert_eq!(demangle("_ZN4core3fmt5write17h0123456789abcdefE"), "core::fmt::write");
        assert_eq!(
            demangle("byn$mgfn-shared$_ZN4core3fmt5write17h0123456789abcdefE"),
            "core::fmt::write (merged)"
        );
    }

    #[test]
    fn custom_sections_are_removed_and_nothing_else() {
        let named = wat::parse_str(r#"(module $m (func $f (export "f")) (func $g))"#).unwrap();
        let plain = without_custom_sections(&named).unwrap();
        assert!(plain.len() < named.len());
        assert!(NameMap::of(&named).unwrap().values().any(|n| n == "f"));
        assert!(NameMap::of(&plain).unwrap().is_empty());
        let l = layout(&plain).unwrap();
        assert_eq!(l.functions.len(), 2);
        assert_eq!(without_custom_sections(&plain).unwrap(), plain, "nothing else changes");
        assert_eq!(without_custom_sections(b"\0asm\x01\0\0\0\x01\xff"), None, "a truncated section");
        let only = with_function_names_only(&named).unwrap();
        assert_eq!(NameMap::of(&only).unwrap(), NameMap::of(&named).unwrap());
        assert_eq!(without_custom_sections(&only).unwrap(), plain);
    }
}
