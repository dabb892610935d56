//! Work spread over threads with the result order kept: what runs a slot's shards in
//! parallel (production, commits, stateless checks).

/// `f` over `items` on up to `threads` scoped threads (item `i` on thread `i % threads`),
/// the results in the order of `items`. One thread, or one item, runs inline. A panic in
/// `f` is resumed on the caller's thread.
pub fn map_in_order<T: Send, R: Send>(items: Vec<T>, threads: usize, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.into_iter().map(f).collect();
    }
    let mut lanes: Vec<Vec<(usize, T)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, item) in items.into_iter().enumerate() {
        lanes[i % threads].push((i, item));
    }
    let f = &f;
    let mut out: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = lanes
            .into_iter()
            .map(|lane| scope.spawn(move || lane.into_iter().map(|(i, t)| (i, f(t))).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items_for_any_thread_count() {
        let items: Vec<u32> = (0..37).collect();
        let expected: Vec<u32> = items.iter().map(|x| x * x).collect();
        for threads in [0, 1, 2, 3, 8, 100] {
            assert_eq!(map_in_order(items.clone(), threads, |x| x * x), expected, "{threads} threads");
        }
        assert!(map_in_order(Vec::<u32>::new(), 4, |x| x).is_empty());
    }
}
