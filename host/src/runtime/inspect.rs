//! What is inside a module (`ee inspect`): section sizes and the largest functions, with
//! names from the name section when it is present.
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
        f.name = names.get(&f.index).cloned();
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
