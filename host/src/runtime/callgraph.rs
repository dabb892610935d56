//! Which calls the stack limiter must count, from the module's call graph.
//!
//! `runtime::stack` raises a counter by the callee's frame weight around every call it
//! instruments. Most calls in compiled Rust go to small helpers that never recurse, and
//! counting each of them costs a global load, add, compare and store twice per call. The
//! gatekeeper's call graph lets the limiter count only the calls that can make the stack
//! grow without a static bound:
//!
//! - a function that can recurse (its strongly connected component has more than one
//!   function, or it calls itself), a function reachable through `call_indirect` (in a
//!   table), and every import are *counted*: a call to one is charged the callee's
//!   frame plus the deepest chain of uncounted functions it can call directly (its *tail*);
//! - every other function is *uncounted*: no call to it is instrumented. The uncounted
//!   functions form an acyclic graph, so the deepest chain through them is finite and known
//!   ahead of time, and it is already part of the charge of whichever counted function (or
//!   entry) started it.
//!
//! An entry export runs with the counter at zero, so the deepest uncounted chain from any
//! exported function (its *entry margin*) is kept out of the budget: counted calls trap
//! once the counter passes `budget - margin`. The module's own frames therefore never
//! exceed what the counter plus the margin allow, whatever the call pattern, and the limit
//! stays a property of the module's bytes alone (deterministic on every engine). A module
//! whose margin alone exceeds the budget is refused at load.
//!
//! The bound is per module. A call into a library (an import served by another wasm
//! instance) is charged like a host call, and the library has its own counter and budget,
//! so an EE at its limit calling a library at its limit uses two budgets of native stack.
//! Libraries import nothing, so it stops there; [`crate::limits::WASM_STACK_BYTES`] is
//! sized for it.
//!
//! Everything here is iterative: a hostile module's call chain cannot exhaust the host's
//! own stack.

/// The charges `runtime::stack` applies to one module.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct StackPlan {
    /// Units charged around a direct call of each function (function index space, imports
    /// first); 0 means the call is not instrumented.
    #[serde(skip)]
    pub call_weights: Vec<u32>,
    /// Units charged around `call_indirect`: the largest charge of a table function.
    #[serde(rename = "max_indirect_weight")]
    pub indirect_weight: u32,
    /// Deepest stack an entry export can use before its first counted call.
    pub entry_margin: u32,
}

/// Plans the charges. `frame_weights` covers the whole function index space (imports
/// first, `imported` of them); `callees[i]` lists the functions defined function `i` calls
/// directly; `in_table` the functions element segments place in tables; `entries` the
/// exported functions. Indices out of range are ignored (the validator refuses them).
pub fn plan(
    frame_weights: &[u32],
    imported: u32,
    callees: &[Vec<u32>],
    in_table: &[u32],
    entries: &[u32],
    base: u32,
) -> StackPlan {
    let total = frame_weights.len();
    let imported = (imported as usize).min(total);
    let defined = total - imported;
    // Edges between defined functions, as local indices.
    let edges: Vec<Vec<u32>> = (0..defined)
        .map(|i| {
            let mut e: Vec<u32> = callees
                .get(i)
                .map(|c| {
                    c.iter()
                        .filter(|&&f| (f as usize) >= imported && (f as usize) < total)
                        .map(|&f| f - imported as u32)
                        .collect()
                })
                .unwrap_or_default();
            e.sort_unstable();
            e.dedup();
            e
        })
        .collect();
    let (component, sizes) = components(&edges);
    let mut counted = vec![false; defined];
    for (i, e) in edges.iter().enumerate() {
        let c = component[i] as usize;
        counted[i] = sizes[c] > 1 || e.binary_search(&(i as u32)).is_ok();
    }
    for &f in in_table {
        if let Some(local) = (f as usize).checked_sub(imported).filter(|&l| l < defined) {
            counted[local] = true;
        }
    }
    // Components complete callees first, so visiting functions by component id sees every
    // uncounted callee's depth before its callers need it.
    let mut order: Vec<u32> = (0..defined as u32).collect();
    order.sort_by_key(|&i| component[i as usize]);
    // depth[i]: own frame plus the deepest uncounted chain below (the charge, if counted).
    let mut depth = vec![0u32; defined];
    for &i in &order {
        let i = i as usize;
        let tail = edges[i].iter().filter(|&&c| !counted[c as usize]).map(|&c| depth[c as usize]).max();
        depth[i] = frame_weights[imported + i].saturating_add(tail.unwrap_or(0));
    }
    let mut call_weights = Vec::with_capacity(total);
    call_weights.extend_from_slice(&frame_weights[..imported]);
    call_weights.extend((0..defined).map(|i| if counted[i] { depth[i].max(1) } else { 0 }));
    let charge = |f: u32| -> Option<u32> {
        let f = f as usize;
        if f < imported { frame_weights.get(f).copied() } else { depth.get(f - imported).copied() }
    };
    let indirect_weight = in_table.iter().filter_map(|&f| charge(f)).max().unwrap_or(base);
    let entry_margin = entries.iter().filter_map(|&f| charge(f)).max().unwrap_or(0);
    StackPlan { call_weights, indirect_weight, entry_margin }
}

/// Tarjan's search state.
struct Search {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    /// The explicit call stack: (node, next edge to follow).
    frames: Vec<(usize, usize)>,
    next: u32,
}

impl Search {
    const NONE: u32 = u32::MAX;

    /// Numbers `v` and starts following its edges.
    fn open(&mut self, v: usize) {
        self.index[v] = self.next;
        self.low[v] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        self.frames.push((v, 0));
    }
}

/// Strongly connected components (Tarjan, iterative): each node's component id, and each
/// component's size. Ids are given as components complete, so a component's id is larger
/// than that of every component it reaches.
fn components(edges: &[Vec<u32>]) -> (Vec<u32>, Vec<u32>) {
    let n = edges.len();
    let mut s = Search {
        index: vec![Search::NONE; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        frames: Vec::new(),
        next: 0,
    };
    let mut component = vec![Search::NONE; n];
    let mut sizes: Vec<u32> = Vec::new();
    for root in 0..n {
        if s.index[root] != Search::NONE {
            continue;
        }
        s.open(root);
        while let Some(&(v, edge)) = s.frames.last() {
            if let Some(&w) = edges[v].get(edge) {
                let w = w as usize;
                if let Some(top) = s.frames.last_mut() {
                    top.1 += 1;
                }
                if s.index[w] == Search::NONE {
                    s.open(w);
                } else if s.on_stack[w] {
                    s.low[v] = s.low[v].min(s.index[w]);
                }
                continue;
            }
            s.frames.pop();
            if let Some(&(parent, _)) = s.frames.last() {
                s.low[parent] = s.low[parent].min(s.low[v]);
            }
            if s.low[v] == s.index[v] {
                let id = sizes.len() as u32;
                let mut size = 0;
                while let Some(w) = s.stack.pop() {
                    s.on_stack[w] = false;
                    component[w] = id;
                    size += 1;
                    if w == v {
                        break;
                    }
                }
                sizes.push(size);
            }
        }
    }
    (component, sizes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const B: u32 = 16;

    #[test]
    fn acyclic_helpers_are_folded_into_their_entry() {
        // 0: import. 1 = main -> 2 -> 3; 1 -> 4.
        let w = [B, 20, 30, 40, 100];
        let p = plan(&w, 1, &[vec![2, 4, 0], vec![3], vec![], vec![]], &[], &[1], B);
        assert_eq!(p.call_weights, vec![B, 0, 0, 0, 0]);
        assert_eq!(p.entry_margin, 20 + 100);
        assert_eq!(p.indirect_weight, B);
    }

    #[test]
    fn recursion_and_tables_are_counted_with_their_tails() {
        // 0 = main -> 1 (self-recursive) -> 2 (helper); 3 <-> 4 mutual; 5 in a table -> 2.
        let w = [10, 20, 30, 40, 50, 60];
        let callees = [vec![1, 3], vec![1, 2], vec![], vec![4], vec![3], vec![2]];
        let p = plan(&w, 0, &callees, &[5], &[0], B);
        assert_eq!(p.call_weights, vec![0, 20 + 30, 0, 40, 50, 60 + 30]);
        assert_eq!(p.indirect_weight, 90);
        assert_eq!(p.entry_margin, 10);
    }

    /// The worst `real stack - counter` over every call path from `f` of at most `steps`
    /// calls (cycles unrolled): what the charge at `f` (or the entry margin) must cover.
    fn excess(w: &[u32], callees: &[Vec<u32>], f: usize, steps: u32, p: &StackPlan) -> i64 {
        let below = if steps == 0 {
            0
        } else {
            callees[f]
                .iter()
                .map(|&c| {
                    excess(w, callees, c as usize, steps - 1, p) - i64::from(p.call_weights[c as usize])
                })
                .max()
                .unwrap_or(0)
                .max(0)
        };
        i64::from(w[f]) + below
    }

    proptest! {
        /// On random call graphs, no call path (cycles unrolled a few times) uses more real
        /// stack than the counter shows plus the charge where it started: the entry margin
        /// for the entry, the call's charge for a counted function. The limit is sound.
        #[test]
        fn the_counter_plus_margin_bounds_every_path(
            weights in proptest::collection::vec(1u32..50, 1..9),
            raw in proptest::collection::vec(proptest::collection::vec(0u32..9, 0..3), 9),
            table in proptest::collection::vec(0u32..9, 0..2),
        ) {
            let n = weights.len() as u32;
            let callees: Vec<Vec<u32>> =
                raw.iter().take(n as usize).map(|c| c.iter().map(|x| x % n).collect()).collect();
            let table: Vec<u32> = table.iter().map(|x| x % n).collect();
            let p = plan(&weights, 0, &callees, &table, &[0], B);
            prop_assert!(excess(&weights, &callees, 0, 7, &p) <= i64::from(p.entry_margin));
            for f in 0..n as usize {
                if p.call_weights[f] > 0 {
                    prop_assert!(excess(&weights, &callees, f, 7, &p) <= i64::from(p.call_weights[f]));
                }
            }
            for &t in &table {
                prop_assert!(p.call_weights[t as usize] > 0 && p.call_weights[t as usize] <= p.indirect_weight);
            }
        }
    }
}
